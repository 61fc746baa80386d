namespace Sinapse.Reinforcement;

/// <summary>
/// Experience replay (Lin 1992; Mnih et al. 2015): a ring of the last <see cref="Capacity"/> transitions
/// (s, a, r, s', terminated), from which uniformly drawn mini-batches break the correlation of consecutive steps.
/// </summary>
public sealed class ReplayBuffer
{
    readonly float[] states, nextStates, rewards, terminated;
    readonly int[] actions;
    int next;

    public ReplayBuffer(int capacity, int observationSize)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "ReplayBuffer: capacity must be positive.");
        Capacity = capacity; ObservationSize = observationSize;
        states = new float[capacity * observationSize];
        nextStates = new float[capacity * observationSize];
        rewards = new float[capacity];
        terminated = new float[capacity];
        actions = new int[capacity];
    }

    public int Capacity { get; }
    public int ObservationSize { get; }

    /// <summary>Transitions held (at most <see cref="Capacity"/>; the oldest are overwritten).</summary>
    public int Count { get; private set; }

    public void Add(ReadOnlySpan<float> state, int action, float reward, ReadOnlySpan<float> nextState, bool isTerminal)
    {
        int d = ObservationSize;
        if (state.Length != d || nextState.Length != d)
            throw new ArgumentException($"ReplayBuffer: observations of {state.Length} and {nextState.Length} values, expected {d}.");
        state.CopyTo(states.AsSpan(next * d, d));
        nextState.CopyTo(nextStates.AsSpan(next * d, d));
        actions[next] = action; rewards[next] = reward; terminated[next] = isTerminal ? 1f : 0f;
        next = (next + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
    }

    /// <summary>
    /// Draws as many transitions as <paramref name="statesOut"/> has rows, uniformly with replacement into the given tensors:
    /// states and nextStates (B, obs), actions (B, 1) as floats, rewards and terminated (B, 1).
    /// </summary>
    public void Sample(Generator gen, Tensor statesOut, Tensor actionsOut, Tensor rewardsOut, Tensor nextOut, Tensor terminatedOut)
    {
        if (Count == 0) throw new InvalidOperationException("ReplayBuffer: nothing to sample yet.");
        int b = statesOut.Shape[0], d = ObservationSize;
        var s = statesOut.AsSpan(); var a = actionsOut.AsSpan(); var r = rewardsOut.AsSpan();
        var n = nextOut.AsSpan(); var t = terminatedOut.AsSpan();
        for (int i = 0; i < b; i++)
        {
            int k = gen.NextInt(Count);
            states.AsSpan(k * d, d).CopyTo(s.Slice(i * d, d));
            nextStates.AsSpan(k * d, d).CopyTo(n.Slice(i * d, d));
            a[i] = actions[k]; r[i] = rewards[k]; t[i] = terminated[k];
        }
    }
}
