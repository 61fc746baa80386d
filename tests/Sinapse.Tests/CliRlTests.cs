using System.Text.Json;
using Sinapse.Tests.Support;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

/// <summary>sinapse rl: the grid world's exact and learned solutions, a CartPole agent trained, saved and replayed.</summary>
[Collection(nameof(ProcessWideCollection))]
public class CliRlTests
{
    [Theory]
    [InlineData("value-iteration")]
    [InlineData("q-learning")]
    public void GridWorld_SolvedAndDrawn(string algo)
    {
        var dir = Temp();
        var (code, output, err) = Run("rl", "--env", "gridworld", "--algo", algo, "--episodes", "20000", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("policy equals the optimal one (value iteration) in 9 of 9 states", output);
        Assert.Contains("0.705", File.ReadAllText(Path.Combine(dir, "gridworld.md"))); // the book's value of the start
        Assert.True(new FileInfo(Path.Combine(dir, "gridworld.png")).Length > 1000);
        Assert.Contains("gridworld.png", File.ReadAllText(Path.Combine(dir, "index.html")));
        (code, output, err) = Run("rl", "play", "--model", dir, "--seed", "1");
        Assert.True(code == 0, err);
        Assert.Matches(@"episode 1: return 0\.\d+ in \d+ steps", output); // the optimal policy reaches the +1 exit
    }

    [Fact]
    public void AGridOfOnesOwn_IsSolvedAndReplayed()
    {
        // The corridor of the library's test: S . + with no slip, living reward −0.1, γ 0.9: the start is worth 0.71.
        var dir = Temp();
        var (code, output, err) = Run("rl", "--env", "gridworld", "--algo", "value-iteration", "--layout", "S.+", "--slip", "0", "--living-reward", "-0.1", "--gamma", "0.9", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("0.710→", output);
        (code, output, err) = Run("rl", "play", "--model", dir);
        Assert.True(code == 0, err);
        Assert.Contains("episode 1: return 0.80 in 2 steps", output);
        Assert.Equal(2, Run("rl", "--env", "gridworld", "--layout", "S.x").Code);
    }

    [Fact]
    public void CartPole_TrainSaveAndPlay()
    {
        var dir = Temp();
        var (code, output, err) = Run("rl", "--env", "cartpole", "--algo", "reinforce", "--seed", "5", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("solved (≥ 475)", output);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "rl.json"))))
        {
            Assert.Equal("yes", doc.RootElement.GetProperty("solved").GetString());
            Assert.True(doc.RootElement.GetProperty("eval_mean_return").GetDouble() >= 475);
        }
        var episodes = File.ReadAllLines(Path.Combine(dir, "episodes.csv"));
        Assert.Equal("episode,return,length,end_step", episodes[0]);
        Assert.True(episodes.Length > 50);
        foreach (var f in new[] { "returns.png", "model.json", "model.safetensors" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        (code, output, err) = Run("rl", "play", "--model", dir, "--episodes", "2", "--every", "100", "--seed", "3");
        Assert.True(code == 0, err);
        Assert.Contains("step 100", output);
        Assert.Contains("mean return", output);
        Assert.True(File.Exists(Path.Combine(dir, "play.png")));
    }

    [Fact]
    public void BadUsage_GetsOneErrorLine()
    {
        var (code, _, err) = Run("rl", "--env", "cartpole", "--algo", "sarsa");
        Assert.Equal(2, code);
        Assert.Contains("need --env gridworld", err);
        (code, _, err) = Run("rl", "play", "--model", Temp());
        Assert.Equal(2, code);
        Assert.Contains("rl.json' not found", err);
        (code, _, err) = Run("rl", "--env", "pong");
        Assert.Equal(2, code);
        Assert.Contains("known: cartpole, mountaincar, gridworld", err);
    }
}
