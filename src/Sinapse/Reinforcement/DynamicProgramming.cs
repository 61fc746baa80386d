namespace Sinapse.Reinforcement;

/// <summary>The values of every state under a policy, that policy (an action per state; −1 for terminal states) and the sweeps it took.</summary>
public sealed record MdpSolution(double[] Values, int[] Policy, int Iterations);

/// <summary>
/// Exact solutions of a <see cref="FiniteMdp"/> whose model is known (Bellman 1957; Howard 1960): value iteration
/// applies the Bellman optimality update V(s) ← maxₐ Σ p (r + γ V(s')) until no value moves more than the tolerance;
/// policy iteration alternates evaluating a policy and making it greedy until it stops changing.
/// </summary>
public static class DynamicProgramming
{
    /// <summary>Value iteration, updating values in place (Gauss–Seidel), until the largest change is below <paramref name="tolerance"/>.</summary>
    public static MdpSolution ValueIteration(FiniteMdp mdp, double tolerance = 1e-10, int maxIterations = 100_000)
    {
        var v = new double[mdp.StateCount];
        int it = 0;
        for (double delta = double.PositiveInfinity; delta > tolerance; )
        {
            if (++it > maxIterations)
                throw new InvalidOperationException($"ValueIteration: no convergence in {maxIterations} sweeps (last change {delta:g3}); with γ = 1 every policy must reach a terminal state.");
            delta = 0;
            for (int s = 0; s < mdp.StateCount; s++)
            {
                if (mdp.IsTerminal(s)) continue;
                double q = mdp.Greedy(s, v).Value;
                delta = Math.Max(delta, Math.Abs(q - v[s]));
                v[s] = q;
            }
        }
        return new MdpSolution(v, GreedyPolicy(mdp, v), it);
    }

    /// <summary>
    /// Policy iteration from the policy that always takes action 0. Each evaluation sweeps until the values move less
    /// than <paramref name="tolerance"/> (at most <paramref name="maxEvaluationSweeps"/> sweeps, which bounds the
    /// evaluation of a policy that never ends when γ = 1); improvement keeps the current action on ties, so it stops.
    /// </summary>
    public static MdpSolution PolicyIteration(FiniteMdp mdp, double tolerance = 1e-10, int maxEvaluationSweeps = 10_000, int maxIterations = 1000)
    {
        var v = new double[mdp.StateCount];
        var policy = new int[mdp.StateCount];
        for (int s = 0; s < policy.Length; s++) policy[s] = mdp.IsTerminal(s) ? -1 : 0;
        for (int it = 1; it <= maxIterations; it++)
        {
            Evaluate(mdp, policy, v, tolerance, maxEvaluationSweeps);
            bool stable = true;
            for (int s = 0; s < mdp.StateCount; s++)
            {
                if (mdp.IsTerminal(s)) continue;
                var (a, q) = mdp.Greedy(s, v);
                if (a != policy[s] && q > mdp.ActionValue(s, policy[s], v) + 1e-12) { policy[s] = a; stable = false; }
            }
            if (stable) return new MdpSolution(v, policy, it);
        }
        throw new InvalidOperationException($"PolicyIteration: the policy still changed after {maxIterations} improvements.");
    }

    /// <summary>Iterative policy evaluation: V(s) ← Σ p (r + γ V(s')) for the policy's action, in place.</summary>
    public static void Evaluate(FiniteMdp mdp, ReadOnlySpan<int> policy, Span<double> values, double tolerance = 1e-10, int maxSweeps = 10_000)
    {
        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double delta = 0;
            for (int s = 0; s < mdp.StateCount; s++)
            {
                if (mdp.IsTerminal(s)) continue;
                double q = mdp.ActionValue(s, policy[s], values);
                delta = Math.Max(delta, Math.Abs(q - values[s]));
                values[s] = q;
            }
            if (delta < tolerance) return;
        }
    }

    /// <summary>The greedy policy of a value function (−1 for terminal states).</summary>
    public static int[] GreedyPolicy(FiniteMdp mdp, ReadOnlySpan<double> values)
    {
        var p = new int[mdp.StateCount];
        for (int s = 0; s < p.Length; s++) p[s] = mdp.IsTerminal(s) ? -1 : mdp.Greedy(s, values).Action;
        return p;
    }
}
