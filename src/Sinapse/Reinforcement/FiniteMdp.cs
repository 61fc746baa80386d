namespace Sinapse.Reinforcement;

/// <summary>One possible outcome of an action: with <paramref name="Probability"/> the next state is <paramref name="Next"/> and the reward <paramref name="Reward"/>.</summary>
public readonly record struct Transition(double Probability, int Next, double Reward);

/// <summary>
/// A Markov decision process with finitely many states and actions whose model is known: for every state and action,
/// the distribution of next states and rewards, and a discount γ. Terminal states have no transitions (their value
/// is 0). Dynamic programming (<see cref="DynamicProgramming"/>) solves it exactly.
/// </summary>
public class FiniteMdp
{
    readonly Transition[][][] transitions; // [s][a] → outcomes
    readonly bool[] terminal;

    /// <param name="transitions">[state][action] → the outcomes; each action's probabilities must sum to 1 (empty for every action of a terminal state).</param>
    /// <param name="terminal">Which states end an episode.</param>
    /// <param name="discount">γ in [0, 1].</param>
    public FiniteMdp(Transition[][][] transitions, bool[] terminal, double discount)
    {
        if (discount is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(discount), discount, "FiniteMdp: the discount must lie in [0, 1].");
        if (terminal.Length != transitions.Length) throw new ArgumentException($"FiniteMdp: {transitions.Length} states have transitions but {terminal.Length} terminal flags were given.");
        int actions = transitions.Length > 0 ? transitions[0].Length : 0;
        for (int s = 0; s < transitions.Length; s++)
        {
            if (transitions[s].Length != actions) throw new ArgumentException($"FiniteMdp: state {s} has {transitions[s].Length} actions, state 0 has {actions}.");
            if (terminal[s]) continue;
            for (int a = 0; a < actions; a++)
            {
                double p = 0;
                foreach (var t in transitions[s][a])
                {
                    if ((uint)t.Next >= (uint)transitions.Length) throw new ArgumentException($"FiniteMdp: state {s}, action {a} leads to state {t.Next}, which does not exist.");
                    p += t.Probability;
                }
                if (Math.Abs(p - 1) > 1e-9) throw new ArgumentException($"FiniteMdp: the probabilities of state {s}, action {a} sum to {p}, not 1.");
            }
        }
        this.transitions = transitions; this.terminal = terminal;
        Discount = discount; ActionCount = actions;
    }

    public int StateCount => transitions.Length;
    public int ActionCount { get; }

    /// <summary>γ: how much a reward one step later is worth.</summary>
    public double Discount { get; }

    public bool IsTerminal(int state) => terminal[state];

    /// <summary>The outcomes of <paramref name="action"/> in <paramref name="state"/> (none for a terminal state).</summary>
    public ReadOnlySpan<Transition> Outcomes(int state, int action) => terminal[state] ? [] : transitions[state][action];

    /// <summary>Q(s, a) = Σ p · (r + γ V(s')): the value of taking <paramref name="action"/> and then following the policy whose values are <paramref name="values"/>.</summary>
    public double ActionValue(int state, int action, ReadOnlySpan<double> values)
    {
        double q = 0;
        foreach (var t in Outcomes(state, action)) q += t.Probability * (t.Reward + Discount * (terminal[t.Next] ? 0 : values[t.Next]));
        return q;
    }

    /// <summary>The action with the highest <see cref="ActionValue"/> (the first on ties) and that value.</summary>
    public (int Action, double Value) Greedy(int state, ReadOnlySpan<double> values)
    {
        int best = 0; double bestQ = double.NegativeInfinity;
        for (int a = 0; a < ActionCount; a++)
        {
            double q = ActionValue(state, a, values);
            if (q > bestQ + 1e-12) { bestQ = q; best = a; }
        }
        return (best, bestQ);
    }
}
