using Sinapse.Layers;
using Sinapse.Training;

namespace Sinapse.Reinforcement;

/// <summary>
/// A table of action values Q(s, a), one row per state, as a module: its one parameter "q" (states, actions) is saved,
/// loaded and checkpointed like any weights.
/// </summary>
/// <remarks>Shape: input (N) state numbers → output (N, actions), the rows of those states.</remarks>
public sealed class QTable : Module<Tensor, Tensor>
{
    public QTable(int states, int actions) => Values = RegisterParameter("q", Tensor.Zeros(states, actions));

    /// <summary>The table (states, actions).</summary>
    public Tensor Values { get; }
    public int States => Values.Shape[0];
    public int Actions => Values.Shape[1];

    public override Tensor Forward(Tensor input) => Values.IndexSelect(0, input.NoGraph().ToArray().Select(v => (int)v).ToArray());

    /// <summary>Q(<paramref name="state"/>, ·) as a writable span.</summary>
    public Span<float> Row(int state) => Values.AsSpan().Slice(state * Actions, Actions);

    /// <summary>The action with the highest value in <paramref name="state"/> (the first on ties).</summary>
    public int Greedy(int state)
    {
        var row = Row(state);
        int best = 0;
        for (int a = 1; a < row.Length; a++) if (row[a] > row[best]) best = a;
        return best;
    }

    /// <summary>The greedy action of every state.</summary>
    public int[] GreedyPolicy() => Enumerable.Range(0, States).Select(Greedy).ToArray();

    protected override string ExtraRepr() => $"{States} states, {Actions} actions";
}

/// <summary>Which temporal-difference target a <see cref="TabularTask"/> learns with.</summary>
public enum TdMethod
{
    /// <summary>Off-policy: r + γ maxₐ Q(s', a) (Watkins 1989) — learns the greedy policy while exploring.</summary>
    QLearning,

    /// <summary>On-policy: r + γ Q(s', a') with a' the action actually taken next (Rummery and Niranjan 1994).</summary>
    Sarsa,
}

/// <summary>
/// Tabular Q-learning or SARSA on an environment whose observations are state numbers (a <see cref="GridWorld"/>):
/// one tick is one episode, acting ε-greedily and updating Q(s, a) ← Q(s, a) + α (target − Q(s, a)) after every step,
/// ε and α each following a <see cref="LinearSchedule"/> over episodes (α must shrink for the values to settle:
/// a constant one leaves them jittering by about its size). The loss reported is the mean squared TD error.
/// </summary>
public sealed class TabularTask : AgentTask
{
    readonly Generator gen;
    readonly int[] visits;

    /// <param name="environment">An environment with numbered states.</param>
    /// <param name="method">Q-learning or SARSA.</param>
    /// <param name="alpha">The learning rate per episode; default 0.1 falling to 0.01 over 10,000 episodes.</param>
    /// <param name="gamma">The discount γ.</param>
    /// <param name="epsilon">Exploration per episode; default 1 falling to 0.05 over 5,000 episodes.</param>
    /// <param name="seed">Seeds exploration and the environment's first reset.</param>
    public TabularTask(IEnvironment environment, TdMethod method, LinearSchedule? alpha = null, float gamma = 0.99f, LinearSchedule? epsilon = null, ulong seed = 0)
        : base(environment)
    {
        if (environment.ObservationSpace is not DiscreteSpace states)
            throw new ArgumentException($"TabularTask: {environment.Name} observes {environment.ObservationSpace}; a table needs numbered states (a Discrete observation space).");
        Alpha = alpha ?? new LinearSchedule(0.1f, 0.01f, 10_000);
        if (Alpha.Start is <= 0 or > 1 || Alpha.End is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "TabularTask: α must lie in (0, 1].");
        Method = method; Gamma = gamma;
        Epsilon = epsilon ?? new LinearSchedule(1f, 0.05f, 5_000);
        Table = new QTable(states.Count, environment.ActionSpace.Count);
        visits = new int[states.Count * environment.ActionSpace.Count];
        gen = new Generator(seed);
        Seed = seed;
    }

    public QTable Table { get; }
    public TdMethod Method { get; }
    public LinearSchedule Alpha { get; }

    /// <summary>
    /// When set (ω in (0.5, 1]), each pair's learning rate is 1 / n(s, a)^ω after its n-th visit instead of
    /// <see cref="Alpha"/> — the rates under which Q-learning provably converges (Even-Dar and Mansour 2003); rarely
    /// visited pairs keep learning fast while common ones settle.
    /// </summary>
    public float? VisitExponent { get; init; }
    public float Gamma { get; }
    public LinearSchedule Epsilon { get; }
    public ulong Seed { get; }
    public override Module Model => Table;

    public override int Act(float[] observation) => Table.Greedy((int)observation[0]);

    int Choose(int state) => Epsilon.EpsilonGreedy(Episodes.Count, Table.Actions, gen, () => Table.Greedy(state));

    public override StepResult TrainStep(int tick)
    {
        int before = Episodes.Count;
        int s = (int)Environment.Reset(Episodes.Count == 0 ? Seed : null)[0];
        int a = Choose(s);
        float alpha = Alpha.At(Episodes.Count);
        double sq = 0; int steps = 0; float total = 0;
        while (true)
        {
            var o = Environment.Step(a);
            int next = (int)o.Observation[0];
            total += o.Reward; steps++;
            int nextAction = Choose(next);
            float bootstrap = o.Terminated ? 0f : Method == TdMethod.QLearning ? Table.Row(next)[Table.Greedy(next)] : Table.Row(next)[nextAction];
            var row = Table.Row(s);
            float td = o.Reward + Gamma * bootstrap - row[a];
            int n = ++visits[s * Table.Actions + a];
            row[a] += (VisitExponent is float w ? MathF.Pow(n, -w) : alpha) * td;
            sq += td * td;
            if (o.Done) break;
            s = next; a = nextAction;
        }
        Steps += steps;
        Episodes.Add(total, steps, Steps);
        return Report((float)(sq / steps), steps, before);
    }
}
