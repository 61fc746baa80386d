using System.ComponentModel;
using Sinapse.Layers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse features --model RUN IMAGE</c>: what a trained CNN holds and sees: the first convolution's filters, and
/// every convolution's feature maps for one image, as PNG grids.
/// </summary>
internal sealed class FeaturesCommand : Command<FeaturesCommand.Settings>
{
    public sealed class Settings : RunImageSettings
    {
        [CommandOption("--out <DIR>"), Description("Folder for the PNGs. Default: RUN_DIR/features.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var (model, _) = RunFolder.LoadModel(s.Model!);
        var convs = model.Layers.OfType<Conv2d>().ToList();
        if (convs.Count == 0)
            throw new InvalidOperationException($"Model '{s.Model}' has no Conv2d layer; train one with --model lenet or --model cnn.");
        var dir = s.Out ?? Path.Combine(s.Model!, "features");
        Directory.CreateDirectory(dir);
        var written = new List<string>();

        // First layer's filters: one tile per (filter, input channel).
        var first = convs[0];
        int k = first.KernelSize;
        var w = first.Weight.ToArray();
        var filters = Enumerable.Range(0, w.Length / (k * k)).Select(i => w.AsSpan(i * k * k, k * k).ToArray()).ToList();
        var path = Path.Combine(dir, "filters-conv1.png");
        Pictures.Grid(filters, k, k, path, zoom: Math.Max(4, 48 / k), caption: $"conv 1: {filters.Count} filters {k}×{k}");
        written.Add(path);

        // Every convolution's feature maps for the image.
        var x = PredictCommand.LoadDigit(s.Image);
        int index = 0;
        using (Autograd.NoGrad())
            for (int i = 0; i < model.Count; i++)
            {
                x = model[i].Call(x);
                if (model[i] is not Conv2d conv) continue;
                index++;
                int c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
                var v = x.ToArray();
                var maps = Enumerable.Range(0, c).Select(m => v.AsSpan(m * h * wd, h * wd).ToArray()).ToList();
                path = Path.Combine(dir, $"feature-maps-conv{index}.png");
                Pictures.Grid(maps, h, wd, path, zoom: Math.Max(2, 112 / Math.Max(h, wd)), caption: $"conv {index} (layer {i}): {c} maps {h}×{wd}");
                written.Add(path);
            }
        foreach (var f in written) AnsiConsole.WriteLine(f);
        return 0;
    }
}
