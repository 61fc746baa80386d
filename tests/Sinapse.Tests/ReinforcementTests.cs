using Sinapse.Reinforcement;
using Sinapse.Training;

namespace Sinapse.Tests;

/// <summary>Dynamic programming against values computed by hand, tabular and deep agents against the optimum.</summary>
public class ReinforcementTests
{
    [Fact]
    public void ValueIteration_OnACorridor_MatchesTheValuesByHand()
    {
        // S . + with no slip, living reward −0.1, γ = 0.9: the cell next to the exit is worth −0.1 + 1 = 0.9,
        // the start −0.1 + 0.9 · 0.9 = 0.71.
        var g = new GridWorld(["S.+"], slip: 0, livingReward: -0.1, discount: 0.9);
        var v = DynamicProgramming.ValueIteration(g);
        Assert.Equal(0.71, v.Values[0], 10);
        Assert.Equal(0.9, v.Values[1], 10);
        Assert.Equal([1, 1, -1], v.Policy);
        // With slip 0.1 the middle cell: right 0.8 → exit (0.9), 0.1 up and 0.1 down bump and stay, so
        // V = 0.8 · 0.9 + 0.2 · (−0.1 + 0.9 V) → V = 0.70 / 0.82.
        var slip = DynamicProgramming.ValueIteration(new GridWorld(["S.+"], slip: 0.1, livingReward: -0.1, discount: 0.9));
        Assert.Equal(0.70 / 0.82, slip.Values[1], 8);
    }

    [Fact]
    public void ValueAndPolicyIteration_OnRussellNorvigs4x3_GiveTheBooksValuesAndPolicy()
    {
        var g = GridWorld.RussellNorvig();
        // Russell & Norvig, AIMA (3rd ed.), figure 17.3: utilities with R(s) = −0.04, γ = 1, rows top to bottom.
        double?[,] book = { { 0.812, 0.868, 0.918, null }, { 0.762, null, 0.660, null }, { 0.705, 0.655, 0.611, 0.388 } };
        string[,] arrows = { { "→", "→", "→", "" }, { "↑", "", "↑", "" }, { "↑", "←", "←", "←" } };
        var vi = DynamicProgramming.ValueIteration(g);
        var pi = DynamicProgramming.PolicyIteration(g);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
            {
                int s = g.StateAt(r, c);
                if (book[r, c] is not double u) continue;
                Assert.True(Math.Abs(vi.Values[s] - u) < 5e-4, $"({r},{c}): {vi.Values[s]:F4} vs {u}");
                Assert.Equal(arrows[r, c], GridWorld.ActionArrows[vi.Policy[s]]);
                Assert.Equal(vi.Policy[s], pi.Policy[s]);
                Assert.Equal(vi.Values[s], pi.Values[s], 6);
            }
    }

    [Theory]
    [InlineData(TdMethod.QLearning, 1)]
    [InlineData(TdMethod.QLearning, 2)]
    [InlineData(TdMethod.Sarsa, 1)]
    public void TabularLearning_FindsTheOptimalPolicy(TdMethod method, ulong seed)
    {
        var g = GridWorld.RussellNorvig();
        var optimal = DynamicProgramming.ValueIteration(g);
        var task = new TabularTask(g, method, method == TdMethod.Sarsa ? new LinearSchedule(0.1f, 0.005f, 20_000) : null, 1f,
            new LinearSchedule(1f, 0.2f, 5000), seed) { VisitExponent = method == TdMethod.QLearning ? 0.8f : null };
        var history = task.Train(20, 1000);
        Assert.Equal(20_000, task.Episodes.Count);
        Assert.NotNull(history.Epochs[^1].Get("return"));
        var greedy = task.Table.GreedyPolicy();
        for (int s = 0; s < g.StateCount; s++)
            if (!g.IsTerminal(s)) Assert.True(greedy[s] == optimal.Policy[s], $"{method} seed {seed}: state {s} takes {GridWorld.ActionArrows[greedy[s]]}, optimal {GridWorld.ActionArrows[optimal.Policy[s]]}");
        if (method == TdMethod.QLearning) // off-policy: the values are the optimal ones
            for (int s = 0; s < g.StateCount; s++)
                if (!g.IsTerminal(s)) Assert.True(Math.Abs(task.Table.Row(s)[greedy[s]] - optimal.Values[s]) < 0.06, $"state {s}");
    }

    [Fact]
    public void ReplayBuffer_OverwritesTheOldest_AndSamplesWhatItHolds()
    {
        var b = new ReplayBuffer(3, 2);
        for (int i = 0; i < 5; i++) b.Add([i, i], i % 2, i, [i + 1, i + 1], i == 4);
        Assert.Equal(3, b.Count);
        var (s, a, r, n, t) = (Tensor.Zeros(64, 2), Tensor.Zeros(64, 1), Tensor.Zeros(64, 1), Tensor.Zeros(64, 2), Tensor.Zeros(64, 1));
        b.Sample(new Generator(1), s, a, r, n, t);
        var rs = r.ToArray();
        Assert.All(rs, v => Assert.Contains(v, new[] { 2f, 3f, 4f })); // transitions 0 and 1 were overwritten
        Assert.Equal(new[] { 2f, 3f, 4f }, rs.Distinct().Order().ToArray());
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(rs[i], s.ToArray()[2 * i]);
            Assert.Equal(rs[i] + 1, n.ToArray()[2 * i]);
            Assert.Equal(rs[i] % 2, a.ToArray()[i]);
            Assert.Equal(rs[i] == 4 ? 1f : 0f, t.ToArray()[i]);
        }
        Assert.Throws<ArgumentException>(() => b.Add([1f], 0, 0, [1f], false));
    }

    [Fact]
    public void Agents_RefuseEnvironmentsTheyCannotLearn()
    {
        Assert.Contains("Box space", Assert.Throws<ArgumentException>(() => new DqnTask(GridWorld.RussellNorvig())).Message);
        Assert.Contains("numbered states", Assert.Throws<ArgumentException>(() => new TabularTask(new CartPole(), TdMethod.QLearning)).Message);
    }

    [Theory]
    [InlineData("dqn")]
    [InlineData("reinforce")]
    [InlineData("a2c")]
    public void Agents_AreReproducible_ForASeed(string algo)
    {
        float[] Run(ulong seed)
        {
            AgentTask task = algo switch
            {
                "dqn" => new DqnTask(new CartPole(), new DqnOptions { Hidden = [32], LearningStarts = 200, TrainFrequency = 50, GradientSteps = 10 }, seed),
                "reinforce" => new ReinforceTask(new CartPole(), seed: seed),
                _ => new A2cTask(() => new CartPole(), seed: seed),
            };
            task.Train(1, algo == "dqn" ? 800 : 20);
            return task.Episodes.Returns.Concat(task.Model.Parameters().SelectMany(p => p.ToArray())).ToArray();
        }
        Assert.Equal(Run(9), Run(9));
        Assert.NotEqual(Run(9), Run(10));
    }

    // The bars' runs, each a few seconds: the kept greedy policy averages at least 475 over 100 fresh episodes.
    [Theory]
    [InlineData("dqn", 4)]
    [InlineData("reinforce", 5)]
    [InlineData("a2c", 1)]
    public void Agents_SolveCartPole(string algo, ulong seed)
    {
        AgentTask task = algo switch
        {
            "dqn" => new DqnTask(new CartPole(), seed: seed),
            "reinforce" => new ReinforceTask(new CartPole(), seed: seed),
            _ => new A2cTask(() => new CartPole(), seed: seed),
        };
        int ticks = algo == "dqn" ? 2000 : algo == "reinforce" ? 10 : 125;
        var eval = new PolicyEvaluation(task, new CartPole(), 10, 475f, 100, seed: 77);
        task.Train(60, ticks, new StepBudget(task, 150_000), eval);
        Assert.NotNull(eval.Solved);
        var returns = new CartPole().Evaluate(task.Act, 100, seed: 12345);
        Assert.True(returns.Average() >= 475, $"{algo}: mean return {returns.Average():F1} over 100 fresh episodes");
    }
}
