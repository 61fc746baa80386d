using System.ComponentModel;
using System.Diagnostics;
using Sinapse.Classic;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse elm</c>: an extreme learning machine on MNIST — a random tanh hidden layer and output weights solved in
/// closed form by ridge regression — against the default MLP trained by backpropagation: test accuracy and training
/// seconds in one table (elm.md).
/// </summary>
internal sealed class ElmCommand : Command<ElmCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--hidden <N>"), Description("Random hidden units. Default: 2000.")]
        public int Hidden { get; init; } = 2000;

        [CommandOption("--lambda <L>"), Description("Ridge penalty λ of the output solve. Default: 1.")]
        public float Lambda { get; init; } = 1f;

        [CommandOption("--seed <N>"), Description("Seed of the random hidden layer. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--no-mlp"), Description("Skip the MLP trained for comparison.")]
        public bool NoMlp { get; init; }

        [CommandOption("--out <DIR>"), Description("Folder for elm.md. Default: runs/elm-<date-time>.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Hidden < 1 || !(s.Lambda >= 0)) throw new ArgumentException("elm: --hidden must be positive and --lambda non-negative.");
        var (dir, mean, std) = s.Apply();
        var (train, test) = Mnist.Load(dir, mean, std);
        var x = train.Inputs.Reshape(train.Count, -1);
        var xt = test.Inputs.Reshape(test.Count, -1);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] ELM: 784 → {s.Hidden} random tanh units → 10, output weights by ridge regression (λ = {s.Lambda}); {train.Count:N0} training images, {Sinapse.Settings.Threads} thread(s)");
        var sw = Stopwatch.StartNew();
        var elm = new ExtremeLearningMachine(784, s.Hidden, 10, s.Lambda, new Generator(s.Seed));
        Stages.Run(("ELM: hidden activations, ridge solve", p => elm.Fit(x, train.Targets, progress: p)));
        double elmSeconds = sw.Elapsed.TotalSeconds;
        double elmAcc = TabularTraining.Accuracy(elm.Call(xt), test.Targets);
        var rows = new List<(string, double, double)> { ($"ELM, {s.Hidden} hidden units", elmAcc, elmSeconds) };
        AnsiConsole.MarkupLine($"ELM: test accuracy [bold green]{elmAcc:P2}[/] in {elmSeconds:F1} s");
        if (!s.NoMlp)
        {
            var model = ModelSpec.Parse("mlp", [1, 28, 28], 10).Build(new Generator(s.Seed));
            var opt = new Adam(model.Parameters(), 1e-3f);
            var loader = new DataLoader(train, 128, shuffle: true, seed: s.Seed);
            sw.Restart();
            TrainCommand.FitWithProgress(12, loader.BatchCount, [new SchedulerCallback(new CosineAnnealingLR(opt, 12))],
                cbs => Trainer.Fit(model, new CrossEntropyLoss(), opt, loader, null, 12, cbs));
            double mlpSeconds = sw.Elapsed.TotalSeconds;
            double mlpAcc = Trainer.Evaluate(model, new CrossEntropyLoss(), new DataLoader(test, 1000)).Accuracy!.Value;
            rows.Add(("MLP 784-256-128-10, backpropagation (train's default: Adam, 12 epochs)", mlpAcc, mlpSeconds));
            AnsiConsole.MarkupLine($"MLP: test accuracy {mlpAcc:P2} in {mlpSeconds:F1} s");
        }
        var md = "| model | test accuracy | training seconds |\n|---|---:|---:|\n" + string.Concat(rows.Select(r => $"| {r.Item1} | {r.Item2:F4} | {r.Item3:F1} |\n"));
        var outDir = RunFolder.Choose(s.Out, "elm");
        Directory.CreateDirectory(outDir);
        RunFolder.WriteText(Path.Combine(outDir, "elm.md"), md);
        AnsiConsole.WriteLine(md);
        return 0;
    }
}
