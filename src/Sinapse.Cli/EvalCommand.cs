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
        var (model, spec) = RunFolder.LoadModel(s.Model!);
        var folder = ImageFolderData.Preprocessing.TryLoad(s.Model!);
        TensorDataset test;
        if (folder is { Kind: "image-folder" })
        {
            // An image-folder run: its test images, read exactly as in training (input.json).
            if (s.Threads is int t) Sinapse.Settings.Threads = t;
            var dir = s.Data ?? throw new ArgumentException($"eval: {s.Model} was trained on an image folder; pass it again with --data DIR.");
            test = ImageFolderData.Load(dir, 0, fixedAs: folder).Test;
        }
        else
        {
            var (dataDir, mean, std) = s.Apply();
            test = Mnist.LoadTest(dataDir, mean, std);
        }
        var loader = new DataLoader(test, 1000);
        var ev = Trainer.Evaluate(model, new CrossEntropyLoss(), loader);
        var (pred, actual) = Trainer.Predict(model, loader);
        Output.Confusion(new ConfusionMatrix(spec.Classes, pred, actual), folder?.Kind == "image-folder" ? folder.Classes : null);
        AnsiConsole.MarkupLine($"test accuracy [bold green]{ev.Accuracy:P2}[/] (loss {ev.Loss:F4}) on {ev.Samples:N0} images");
        Console.WriteLine($"test_accuracy={ev.Accuracy:F4} test_loss={ev.Loss:F4}");
        return 0;
    }
}
