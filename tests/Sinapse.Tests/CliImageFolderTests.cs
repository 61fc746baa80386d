using SkiaSharp;
using Sinapse.Tests.Support;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

/// <summary>train, eval and predict on a folder of images with one subfolder per class, no manifest.</summary>
[Collection(nameof(ProcessWideCollection))]
public class CliImageFolderTests
{
    /// <summary>
    /// Three classes of 20×20 colour pictures with noise: a red horizontal bar, a green vertical bar, a blue diagonal.
    /// Some images are 24×24, so they must be resized to the common size.
    /// </summary>
    static string MakeFolder()
    {
        var dir = Temp();
        var gen = new Generator(5);
        string[] classes = ["bars-h", "bars-v", "diagonal"];
        for (int c = 0; c < 3; c++)
        {
            Directory.CreateDirectory(Path.Combine(dir, classes[c]));
            for (int i = 0; i < 40; i++)
            {
                int size = i % 5 == 0 ? 24 : 20;
                using var bmp = new SKBitmap(size, size);
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        bool on = c switch { 0 => Math.Abs(y - size / 2) < 3, 1 => Math.Abs(x - size / 2) < 3, _ => Math.Abs(x - y) < 3 };
                        byte noise = (byte)gen.NextInt(60);
                        byte v = (byte)(on ? 255 - noise : noise);
                        bmp.SetPixel(x, y, c switch { 0 => new SKColor(v, noise, noise), 1 => new SKColor(noise, v, noise), _ => new SKColor(noise, noise, v) });
                    }
                using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(dir, classes[c], $"img{i:D2}.png"), data.ToArray());
            }
        }
        return dir;
    }

    [Fact]
    public void AnImageFolder_TrainsEvaluatesAndPredicts_WithItsClassNames()
    {
        var data = MakeFolder();
        var run = Temp();
        var (code, output, err) = Run("train", "--data", data, "--epochs", "15", "--val-split", "0", "--batch-size", "16", "--out", run);
        Assert.True(code == 0, err);
        Assert.Contains("108 training and 12 test images of 3 classes (bars-h, bars-v, diagonal), 3×20×20", output.Replace("\n", ""));
        Assert.Contains("the images in", output);
        using (var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
            Assert.True(metrics.RootElement.GetProperty("test_accuracy").GetDouble() >= 0.99, "the three patterns are easy to tell apart");
        Assert.True(File.Exists(Path.Combine(run, "input.json")));
        (code, output, err) = Run("eval", "--model", run, "--data", data);
        Assert.True(code == 0, err);
        Assert.Contains("test_accuracy=1.0000", output);
        (code, output, err) = Run("predict", "--model", run, Path.Combine(data, "bars-v", "img07.png"));
        Assert.True(code == 0, err);
        Assert.Contains("predicted: bars-v", output);
        Assert.Equal(2, Run("eval", "--model", run).Code); // the folder must be given again
    }
}
