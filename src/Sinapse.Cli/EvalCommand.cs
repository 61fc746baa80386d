using System.ComponentModel;
using Sinapse.Data;
using Sinapse.Losses;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

internal sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--model <RUN_DIR>"), Description("Run folder written by 'sinapse train'.")]
        public string? Model { get; init; }

        public override ValidationResult Validate() =>
            Model == null ? ValidationResult.Error("--model RUN_DIR is required.")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var (dataDir, mean, std) = s.Apply();
        var (model, spec) = RunFolder.LoadModel(s.Model!);
        var test = Mnist.LoadTest(dataDir, mean, std);
        var loader = new DataLoader(test, 1000);
        var ev = Trainer.Evaluate(model, new CrossEntropyLoss(), loader);
        var (pred, actual) = Trainer.Predict(model, loader);
        Output.Confusion(new ConfusionMatrix(spec.Classes, pred, actual));
        AnsiConsole.MarkupLine($"test accuracy [bold green]{ev.Accuracy:P2}[/] (loss {ev.Loss:F4}) on {ev.Samples:N0} images");
        Console.WriteLine($"test_accuracy={ev.Accuracy:F4} test_loss={ev.Loss:F4}");
        return 0;
    }
}
