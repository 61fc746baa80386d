using Sinapse.Cli;
using Sinapse.Data;

namespace Sinapse.Tests;

/// <summary>Why gates matter: with the same budget on the adding problem (T = 50), LSTM and GRU learn it, the Elman RNN does not.</summary>
public class AddingProblemTests
{
    const int Steps = 50, Iterations = 1000, Hidden = 32;

    [Fact]
    public void Data_marks_one_step_in_each_half_and_sums_them()
    {
        var d = AddingProblem.Generate(200, 10, new Generator(3));
        var x = d.Inputs.ToArray(); var y = d.Targets.ToArray();
        for (int n = 0; n < 200; n++)
        {
            var marked = Enumerable.Range(0, 10).Where(t => x[(n * 10 + t) * 2 + 1] == 1f).ToArray();
            Assert.Equal(2, marked.Length);
            Assert.True(marked[0] < 5 && marked[1] >= 5);
            Assert.Equal(x[(n * 10 + marked[0]) * 2] + x[(n * 10 + marked[1]) * 2], y[n], 5);
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Gated_cells_solve_it(string cell)
    {
        var curve = AddingCommand.Experiment(cell, Steps, Iterations, Hidden, seed: 1, every: Iterations);
        Assert.True(curve[^1].Mse < 0.01f, $"{cell}: test MSE {curve[^1].Mse} after {Iterations} batches");
        Assert.True(curve[0].Mse > 0.05f); // it started untrained
    }

    [Fact]
    public void The_elman_rnn_stays_near_the_baseline()
    {
        var curve = AddingCommand.Experiment("rnn", Steps, Iterations, Hidden, seed: 1, every: Iterations);
        Assert.InRange(curve[^1].Mse, 0.8f * AddingProblem.BaselineMse, 1.5f * AddingProblem.BaselineMse);
    }
}
