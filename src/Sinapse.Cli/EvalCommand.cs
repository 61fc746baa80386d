using System.ComponentModel;
using Sinapse.Data;
using Sinapse.Losses;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

internal sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <RUN_DIR>"), Description("Run folder written by 'sinapse train'.")]
        public string? Model { get; init; }

        [CommandOption("--data <DIR>"), Description("Folder with the MNIST files. Default: data/mnist found from here upwards.")]
        public string? Data { get; init; }

        [CommandOption("--threads <N>"), Description("Cores to use. Default: all.")]
        public int? Threads { get; init; }

        public override ValidationResult Validate() =>
            Model == null ? ValidationResult.Error("--model RUN_DIR is required.")
            : Threads is < 1 ? ValidationResult.Error($"--threads must be at least 1, got {Threads}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Threads is int t) Threading.Threads = t;
        var (model, spec) = RunFolder.LoadModel(s.Model!);
        var test = Mnist.LoadTest(RunFolder.ResolveData(s.Data));
        var loader = new DataLoader(test, 1000);
        var ev = Trainer.Evaluate(model, new CrossEntropyLoss(), loader);
        var (pred, actual) = Trainer.Predict(model, loader);
        Output.Confusion(new ConfusionMatrix(spec.Classes, pred, actual));
        AnsiConsole.MarkupLine($"test accuracy [bold green]{ev.Accuracy:P2}[/] (loss {ev.Loss:F4}) on {ev.Samples:N0} images");
        Console.WriteLine($"test_accuracy={ev.Accuracy:F4} test_loss={ev.Loss:F4}");
        return 0;
    }
}
