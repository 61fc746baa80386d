using Sinapse.Reinforcement;

namespace Sinapse.Tests;

/// <summary>CartPole and MountainCar against Gymnasium's equations; the contract every environment keeps.</summary>
public class EnvironmentTests
{
    // Reference states from Gymnasium's CartPole-v1 step written out in float64 (Python): start state, policy,
    // and (step, x, ẋ, θ, θ̇, terminated) at recorded steps.
    static readonly (double[] Start, Func<int, int> Policy, (int Step, double[] State, bool Terminated)[] Recorded)[] Trajectories =
    [
        ([0.01, -0.02, 0.03, 0.04], k => k % 2, [
            (1, [0.009600000000000001, -0.21553901710278936, 0.030799999999999998, 0.34199522377603914], false),
            (5, [0.00010246131253273551, -0.21771141054787174, 0.04775962910264799, 0.3901677184355337], false),
            (10, [-0.014017818617391039, -0.026840701600144123, 0.07847758453606116, 0.191445587374163], false),
            (23, [-0.046728051794050006, -0.24497380243993103, 0.21568942494271184, 1.012645098481112], true)]),
        ([-0.04, 0.03, -0.02, 0.01], _ => 1, [
            (1, [-0.0394, 0.22540298370581868, -0.0198, -0.28892546462546], false),
            (5, [0.0020871458678360794, 1.0076711800108478, -0.07895451917893762, -1.5020299462445348], false),
            (9, [0.10623067393023672, 1.7921732044528291, -0.23774706409774482, -2.8205859082028653], true)]),
        ([0.0, 0.0, 0.049, 0.0], _ => 0, [
            (1, [0.0, -0.19578918932991948, 0.049, 0.3077315230404298], false),
            (5, [-0.03916341430475857, -0.9795009434328195, 0.11072523886597885, 1.5564139525619796], false),
            (8, [-0.10971096420733527, -1.5684441696539808, 0.2237758111450649, 2.5568740958499467], true)]),
    ];

    [Fact]
    public void CartPole_Step_MatchesGymnasiumsEquations()
    {
        var env = new CartPole();
        foreach (var (start, policy, recorded) in Trajectories)
        {
            env.ResetTo(start[0], start[1], start[2], start[3]);
            int last = recorded[^1].Step;
            for (int k = 0; k < last; k++)
            {
                var o = env.Step(policy(k));
                Assert.Equal(1f, o.Reward); // the failing step is rewarded too, as in Gymnasium
                var rec = recorded.FirstOrDefault(r => r.Step == k + 1);
                if (rec.State != null)
                {
                    for (int i = 0; i < 4; i++)
                    {
                        Assert.True(Math.Abs(env.State[i] - rec.State[i]) < 1e-6, $"step {k + 1}, component {i}: {env.State[i]} vs {rec.State[i]}");
                        Assert.Equal((float)rec.State[i], o.Observation[i]);
                    }
                    Assert.Equal(rec.Terminated, o.Terminated);
                }
                else Assert.False(o.Terminated, $"step {k + 1} terminated early");
                Assert.False(o.Truncated);
            }
        }
    }

    [Fact]
    public void CartPole_ResetsWithinBounds_SeededAndTruncatesAt500()
    {
        var a = new CartPole(); var b = new CartPole();
        var o1 = a.Reset(7); var o2 = b.Reset(7);
        Assert.Equal(o1, o2);
        Assert.All(o1, v => Assert.InRange(v, -0.05f, 0.05f));
        Assert.NotEqual(o1, a.Reset()); // unseeded resets continue the stream
        // A hand-made controller (push toward where the pole leans, damped by the cart's drift) balances it to the limit.
        var env = new CartPole();
        var (ret, len) = env.PlayEpisode(o => o[2] + 0.5f * o[3] + 0.01f * o[0] + 0.1f * o[1] > 0 ? 1 : 0, seed: 3, onStep: (_, _, s) =>
        {
            if (!s.Done) return;
            Assert.True(s.Truncated && !s.Terminated);
        });
        Assert.Equal(500, len);
        Assert.Equal(500f, ret);
    }

    [Fact]
    public void Environments_RefuseMisuse_WithClearErrors()
    {
        var env = new CartPole();
        var e = Assert.Throws<InvalidOperationException>(() => env.Step(0));
        Assert.Contains("call Reset first", e.Message);
        env.Reset(0);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => env.Step(2));
        Assert.Contains("action 2 is outside Discrete(2)", r.Message);
        env.ResetTo(0, 0, 0.2, 1);
        Assert.True(env.Step(1).Terminated);
        Assert.Throws<InvalidOperationException>(() => env.Step(1)); // an ended episode needs a reset
        Assert.Contains("Unknown environment 'pong'", Assert.Throws<ArgumentException>(() => Environments.Create("pong")).Message);
    }

    [Fact]
    public void MountainCar_FollowsGymnasiumsDynamics()
    {
        var env = new MountainCar();
        var o = env.Reset(1);
        Assert.InRange(o[0], -0.6f, -0.4f);
        Assert.Equal(0f, o[1]);
        // One step by hand: v' = v + (a − 1)·0.001 − 0.0025·cos(3x), x' = x + v'.
        double x = env.Position;
        var s = env.Step(2);
        double v = 0.001 - 0.0025 * Math.Cos(3 * x);
        Assert.Equal(v, env.Velocity, 12);
        Assert.Equal(x + v, env.Position, 12);
        Assert.Equal(-1f, s.Reward);
        // Rocking (push with the velocity) reaches the flag; pushing right only never does within 200 steps.
        var (ret, len) = env.PlayEpisode(ob => ob[1] >= 0 ? 2 : 0, seed: 2);
        Assert.True(len < 200, $"rocking took {len} steps");
        Assert.Equal(-len, ret);
        Assert.Equal(200, env.PlayEpisode(_ => 2, seed: 2).Length);
    }
}
