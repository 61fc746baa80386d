using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>Minsky &amp; Papert's point, run: a perceptron cannot learn XOR, a two-layer network trained by backpropagation can.</summary>
internal sealed class XorCommand : Command<XorCommand.Settings>
{
    public sealed class Settings : CommandSettings { }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var x = Tensor.FromArray(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
        var y = Tensor.FromArray([0f, 1f, 1f, 0f]);

        var p = new Perceptron(2, 0.1f);
        int epochs = p.Fit(x, y, 100);
        var pp = p.Predict(x).ToArray();
        AnsiConsole.MarkupLine($"[bold]Perceptron[/] (step(w·x+b), Rosenblatt's rule, 100 epochs): {(epochs < 0 ? "[red]did not converge[/]" : $"converged in {epochs}")}, accuracy {p.Accuracy(x, y):P0}");

        var (mlp, mlpAcc, steps) = TrainMlp(x, y);
        Tensor outp;
        using (Autograd.NoGrad()) outp = mlp.Call(x).Sigmoid();
        var o = outp.ToArray();
        AnsiConsole.MarkupLine($"[bold]MLP[/] 2-4-1 (tanh, sigmoid output, backpropagation, Adam): accuracy {mlpAcc:P0} after {steps} steps");

        var table = new Table().AddColumns("x1", "x2", "XOR", "perceptron", "MLP p(1)");
        var xa = x.ToArray();
        for (int i = 0; i < 4; i++)
            table.AddRow(xa[2 * i].ToString(), xa[2 * i + 1].ToString(), y[i].ToString(), pp[i].ToString(), o[i].ToString("F3"));
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>Trains a 2-4-1 network on XOR with binary cross-entropy; returns it with its accuracy.</summary>
    internal static (Sequential Model, float Accuracy, int Steps) TrainMlp(Tensor x, Tensor y, ulong seed = 1)
    {
        var gen = new Generator(seed);
        var mlp = new Sequential(new Linear(2, 4, gen: gen), new Tanh(), new Linear(4, 1, gen: gen));
        var opt = new Adam(mlp.Parameters(), 0.05f);
        var loss = new BCEWithLogitsLoss();
        var target = y.Reshape(4, 1);
        int steps = 500;
        for (int i = 0; i < steps; i++)
        {
            opt.ZeroGrad();
            loss.Call(mlp.Call(x), target).Backward();
            opt.Step();
        }
        using var _ = Autograd.NoGrad();
        var pred = mlp.Call(x).Gt(0f).Reshape(4).ToArray();
        var ya = y.ToArray();
        return (mlp, pred.Zip(ya).Count(z => z.First == z.Second) / 4f, steps);
    }
}
