using System.ComponentModel;
using Sinapse.Data;
using SkiaSharp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>Options of the commands that apply a trained run to one image: the image and the run folder.</summary>
internal class RunImageSettings : CommandSettings
{
    [CommandArgument(0, "<IMAGE>"), Description("A PNG or JPEG image (of one digit, for an MNIST run); for a run trained on a table, a CSV file of rows to predict.")]
    public string Image { get; init; } = "";

    [CommandOption("--model <RUN_DIR>"), Description("Run folder written by 'sinapse train'.")]
    public string? Model { get; init; }

    public override ValidationResult Validate() =>
        Model == null ? ValidationResult.Error("--model RUN_DIR is required.") : ValidationResult.Success();
}

internal sealed class PredictCommand : Command<PredictCommand.Settings>
{
    public sealed class Settings : RunImageSettings;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (TabularPredict.Handles(s.Model!)) return TabularPredict.Run(s.Model!, s.Image);
        var (model, spec) = RunFolder.LoadModel(s.Model!);
        // An image-folder run reads images as in training (input.json: size, channels, normalisation, class names).
        var folder = ImageFolderData.Preprocessing.TryLoad(s.Model!);
        var x = folder is { Kind: "image-folder" } ? ImageFolderData.LoadImage(s.Image, folder)
            : folder != null ? LoadDigit(s.Image, folder.Mean[0], folder.Std[0], folder.Height, folder.Width) : LoadDigit(s.Image);
        Tensor probs;
        using (Autograd.NoGrad()) probs = model.Call(x).Softmax(1);
        var p = probs.ToArray();
        int best = Array.IndexOf(p, p.Max());
        string Name(int c) => folder != null && c < folder.Classes.Length ? folder.Classes[c] : c.ToString();
        var chart = new BarChart().Label($"class probabilities for {Markup.Escape(Path.GetFileName(s.Image))}").WithMaxValue(1);
        for (int c = 0; c < p.Length; c++) chart.AddItem(Markup.Escape(Name(c)), Math.Round(p[c], 4), c == best ? Color.Green : Color.Grey);
        AnsiConsole.Write(chart);
        AnsiConsole.MarkupLine($"predicted: [bold green]{Markup.Escape(Name(best))}[/] ({p[best]:P1})");
        return 0;
    }

    /// <summary>
    /// Decodes an image, converts it to grayscale, resizes it to h×w (28×28) and normalises it like the training set
    /// (MNIST's mean and deviation by default). MNIST-format images are white on black: an image with a light
    /// background (mean above one half) is inverted first. Shape: → (1, 1, h, w).
    /// </summary>
    internal static Tensor LoadDigit(string path, float mean = Mnist.Mean, float std = Mnist.Std, int h = 28, int w = 28)
    {
        using var bmp = ImageFile.Decode(path);
        using var gray = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(gray))
        {
            canvas.Clear(SKColors.White);
            using var img = SKImage.FromBitmap(bmp);
            canvas.DrawImage(img, new SKRect(0, 0, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        var v = new float[h * w];
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++)
            {
                var c = gray.GetPixel(xx, y);
                v[y * w + xx] = (0.299f * c.Red + 0.587f * c.Green + 0.114f * c.Blue) / 255f;
            }
        if (v.Average() > 0.5f) for (int i = 0; i < v.Length; i++) v[i] = 1f - v[i];
        for (int i = 0; i < v.Length; i++) v[i] = (v[i] - mean) / std;
        return Tensor.FromArray(v, 1, 1, h, w);
    }
}
