namespace Sinapse.Reinforcement;

/// <summary>What one <see cref="IEnvironment.Step"/> returns, as in Gymnasium.</summary>
/// <param name="Observation">The observation after the action.</param>
/// <param name="Reward">The reward for the action.</param>
/// <param name="Terminated">The episode ended in a terminal state of the task (the pole fell, the goal was reached): nothing follows it, so its value is 0.</param>
/// <param name="Truncated">The episode was cut off by a time limit: the state is not terminal, and a learner should still bootstrap from it.</param>
public readonly record struct StepOutcome(float[] Observation, float Reward, bool Terminated, bool Truncated)
{
    /// <summary>The episode is over, for either reason.</summary>
    public bool Done => Terminated || Truncated;
}

/// <summary>The set observations or actions are drawn from.</summary>
public abstract record Space;

/// <summary>The integers 0 … <paramref name="Count"/> − 1 (actions; the states of a finite MDP, observed as one number).</summary>
public sealed record DiscreteSpace(int Count) : Space
{
    public override string ToString() => $"Discrete({Count})";
}

/// <summary>Vectors whose element i lies in [Low[i], High[i]] (infinite for an unbounded velocity; Gymnasium writes float32 max).</summary>
public sealed record BoxSpace(float[] Low, float[] High) : Space
{
    /// <summary>Length of the vectors.</summary>
    public int Size => Low.Length;

    public override string ToString() => $"Box({Size}: [{string.Join(", ", Low.Select(v => v.ToString("g4")))}] … [{string.Join(", ", High.Select(v => v.ToString("g4")))}])";
}

/// <summary>
/// An environment an agent acts in, Gymnasium's contract: <see cref="Reset"/> starts an episode (seeded, so episodes
/// are reproducible), <see cref="Step"/> applies one action and reports the observation, the reward and whether the
/// episode terminated or was truncated by <see cref="MaxEpisodeSteps"/>.
/// </summary>
public interface IEnvironment
{
    /// <summary>A short name ("CartPole-v1").</summary>
    string Name { get; }

    /// <summary>Observations: a <see cref="BoxSpace"/> of vectors, or a <see cref="DiscreteSpace"/> of states observed as one number.</summary>
    Space ObservationSpace { get; }

    /// <summary>The actions, numbered from 0.</summary>
    DiscreteSpace ActionSpace { get; }

    /// <summary>Steps after which an episode is truncated.</summary>
    int MaxEpisodeSteps { get; }

    /// <summary>
    /// Starts an episode and returns its first observation. With a seed the environment's random generator restarts
    /// from it; without one it continues, so a run seeded once at its first reset is reproducible.
    /// </summary>
    float[] Reset(ulong? seed = null);

    /// <summary>Applies <paramref name="action"/>; throws if no episode is running or the action is out of range.</summary>
    StepOutcome Step(int action);

    /// <summary>The current state as text, for a terminal.</summary>
    string Render();
}

/// <summary>Helpers shared by the environments.</summary>
public static class Environments
{
    /// <summary>The environments the CLI knows by name: cartpole, mountaincar, gridworld.</summary>
    public static IEnvironment Create(string name) => name.ToLowerInvariant() switch
    {
        "cartpole" or "cartpole-v1" => new CartPole(),
        "mountaincar" or "mountaincar-v0" => new MountainCar(),
        "gridworld" => GridWorld.RussellNorvig(),
        _ => throw new ArgumentException($"Unknown environment '{name}'; known: cartpole, mountaincar, gridworld."),
    };

    /// <summary>Number of values in an observation: the box's size, or 1 for a discrete state.</summary>
    public static int ObservationSize(this IEnvironment env) => env.ObservationSpace switch
    {
        BoxSpace b => b.Size,
        DiscreteSpace => 1,
        _ => throw new NotSupportedException(env.ObservationSpace.ToString()),
    };

    internal static void CheckAction(IEnvironment env, int action, bool running)
    {
        if (!running) throw new InvalidOperationException($"{env.Name}: Step called with no episode running; call Reset first (and again after an episode ends).");
        if ((uint)action >= (uint)env.ActionSpace.Count)
            throw new ArgumentOutOfRangeException(nameof(action), action, $"{env.Name}: action {action} is outside {env.ActionSpace}.");
    }

    /// <summary>
    /// Plays one episode with <paramref name="policy"/> (observation → action) and returns its total reward and length.
    /// </summary>
    public static (float Return, int Length) PlayEpisode(this IEnvironment env, Func<float[], int> policy, ulong? seed = null, Action<float[], int, StepOutcome>? onStep = null)
    {
        var obs = env.Reset(seed);
        float total = 0; int steps = 0;
        while (true)
        {
            int a = policy(obs);
            var o = env.Step(a);
            onStep?.Invoke(obs, a, o);
            total += o.Reward; steps++;
            obs = o.Observation;
            if (o.Done) return (total, steps);
        }
    }

    /// <summary>
    /// Returns of <paramref name="episodes"/> episodes played with <paramref name="policy"/>, the first reset seeded
    /// with <paramref name="seed"/> (Gymnasium's evaluation convention).
    /// </summary>
    public static float[] Evaluate(this IEnvironment env, Func<float[], int> policy, int episodes = 100, ulong seed = 0)
    {
        var returns = new float[episodes];
        for (int i = 0; i < episodes; i++) returns[i] = env.PlayEpisode(policy, i == 0 ? seed : null).Return;
        return returns;
    }
}
