using System.Text.Json;
using Sinapse.Cli;

using Sinapse.Tests.Support;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

/// <summary>The sinapse command, run in-process. Training runs use small models and one epoch to stay fast.</summary>
[Collection(nameof(ProcessWideCollection))]
public class CliTests
{
    [Theory]
    [InlineData("train", "--nope")]
    [InlineData("train", "--epochs", "abc")]
    [InlineData("train", "--epochs", "0")]
    [InlineData("train", "--optimizer", "magic")]
    [InlineData("train", "--model", "dcgan", "--generator-steps", "0")]
    [InlineData("train", "--model", "infogan", "--info-weight", "-1")]
    [InlineData("train", "--augment", "shift=20")]
    [InlineData("train", "--augment", "twirl")]
    [InlineData("train", "--model", "resnet", "--epochs", "1")]
    [InlineData("train", "--data", "/nonexistent/dir")]
    [InlineData("eval", "--model", "/nonexistent/run")]
    [InlineData("eval")]
    [InlineData("predict", "--model", "/nonexistent/run", "x.png")]
    [InlineData("frobnicate")]
    public void BadUsage_GivesOneLineErrorAndExitCode2(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Fact]
    public void EveryCommandsHelp_Renders()
    {
        var (code, output, err) = Run("--help");
        Assert.True(code == 0, err);
        // The command names: the indented first words of the lines after "COMMANDS:".
        var names = output[(output.IndexOf("COMMANDS:", StringComparison.Ordinal) + 9)..].Split('\n')
            .Where(l => l.StartsWith("    ") && !char.IsWhiteSpace(l[4])).Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.Contains("train", names);
        Assert.True(names.Count >= 20, string.Join(", ", names));
        foreach (var name in names)
        {
            (code, output, err) = Run(name, "--help");
            Assert.True(code == 0 && err.Length == 0, $"{name} --help: exit {code}, {err}");
            Assert.True(output.Contains("USAGE:") && output.Contains("sinapse " + name), $"{name} --help:\n{output}");
        }
    }

    [Fact]
    public void DataList_NamesEverySet_AndFetchExplainsShippedAndUnknownOnes()
    {
        var was = Environment.GetEnvironmentVariable("SINAPSE_DATA");
        try
        {
            var cache = Temp();
            Environment.SetEnvironmentVariable("SINAPSE_DATA", cache);
            var (code, output, err) = Run("data", "list");
            Assert.True(code == 0, err);
            foreach (var name in new[] { "mnist", "fashion-mnist", "iris", "moby-dick", "sunspots" }) Assert.Contains(name, output);
            Assert.Contains("not fetched: sinapse data fetch fashion-mnist", output);
            (code, output, _) = Run("data", "fetch", "iris");
            Assert.Equal(0, code);
            Assert.Contains("iris is shipped with Sinapse", output);
            (code, _, err) = Run("data", "fetch", "imagenet");
            Assert.Equal(2, code);
            Assert.Contains("'imagenet' is not a known data set", err);
        }
        finally { Environment.SetEnvironmentVariable("SINAPSE_DATA", was); }
    }

    [Fact]
    public void FashionMnist_WhenAbsent_SaysHowToFetchIt()
    {
        var was = Environment.GetEnvironmentVariable("SINAPSE_DATA");
        try
        {
            Environment.SetEnvironmentVariable("SINAPSE_DATA", Temp());
            var (code, _, err) = Run("train", "--data", "fashion-mnist", "--epochs", "1");
            Assert.Equal(2, code);
            Assert.Contains("sinapse data fetch fashion-mnist", err);
        }
        finally { Environment.SetEnvironmentVariable("SINAPSE_DATA", was); }
    }

    [Fact]
    public void Train_EpochsDefaultPerModel_AndAnExplicitValueWins()
    {
        Assert.Equal(20, new TrainCommand.Settings { Model = "lenet" }.Epochs);
        Assert.Equal(12, new TrainCommand.Settings { Model = "cnn" }.Epochs);
        Assert.Equal(20, new TrainCommand.Settings { Model = "cnn", Data = "fashion-mnist" }.Epochs);
        Assert.Equal(12, new TrainCommand.Settings().Epochs);
        Assert.Equal(3, new TrainCommand.Settings { Model = "lenet", EpochsOption = 3 }.Epochs);
    }

    [Fact]
    public void Filters_WritesOnePngPerFilterAndAContactSheet()
    {
        var dir = Temp();
        var png = Path.Combine(dir, "in.png");
        using (var bmp = new SkiaSharp.SKBitmap(40, 30))
        {
            for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) bmp.SetPixel(x, y, new SkiaSharp.SKColor((byte)(6 * x), (byte)(8 * y), 90));
            using var data = SkiaSharp.SKImage.FromBitmap(bmp).Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(png, data.ToArray());
        }
        var outDir = Path.Combine(dir, "out");
        var (code, _, err) = Run("filters", png, "--out", outDir);
        Assert.True(code == 0, err);
        foreach (var name in Sinapse.Vision.ImageFilters.All.Select(f => f.Name).Append("contact-sheet"))
        {
            using var decoded = SkiaSharp.SKBitmap.Decode(Path.Combine(outDir, name + ".png"));
            Assert.NotNull(decoded);
            if (name != "contact-sheet") Assert.Equal((40, 30), (decoded.Width, decoded.Height));
        }
        Assert.Equal(2, Run("filters", Path.Combine(dir, "missing.png")).Code);
    }

    [Fact]
    public void Train_LeNet_ForOneEpoch_ThenEvalAndPredictRebuildIt()
    {
        var dir = Temp();
        var (code, output, err) = Run("train", "--model", "lenet", "--epochs", "1", "--batch-size", "256", "--val-split", "0", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("(1, 16, 5, 5)", output); // the summary shows every layer's output shape
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
        var acc = metrics.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(acc, 0.9, 1.0);
        Assert.Contains($"test_accuracy={acc:F4}", Run("eval", "--model", dir).Out);
        var png = Path.Combine(dir, "digit.png");
        WriteDigitPng(png);
        var pr = Run("predict", "--model", dir, png);
        Assert.True(pr.Code == 0, pr.Err);
        Assert.Contains("predicted: 7", pr.Out);
        // The run report: one self-contained page with the metrics, the model, every picture and sample predictions.
        var html = File.ReadAllText(Path.Combine(dir, "index.html"));
        Assert.Contains("test_accuracy", html);
        Assert.Contains("AvgPool2d", html);
        Assert.Contains("Sample predictions (", html);
        Assert.DoesNotContain("src=\"http", html);
        var images = System.Text.RegularExpressions.Regex.Matches(html, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.True(images.Count >= 2 + 24, $"{images.Count} embedded images");
        Assert.All(images, m => Assert.Equal(new byte[] { 0x89, 0x50, 0x4e, 0x47 }, Convert.FromBase64String(m.Groups[1].Value)[..4]));
        Assert.NotNull(SkiaSharp.SKBitmap.Decode(Path.Combine(dir, "confusion.png")));

        var fe = Run("features", "--model", dir, png);
        Assert.True(fe.Code == 0, fe.Err);
        foreach (var f in new[] { "filters-conv1.png", "feature-maps-conv1.png", "feature-maps-conv2.png" })
            Assert.NotNull(SkiaSharp.SKBitmap.Decode(Path.Combine(dir, "features", f)));
    }

    [Fact]
    public void Xor_ShowsPerceptronFailingAndMlpSucceeding()
    {
        var (code, output, _) = Run("xor");
        Assert.Equal(0, code);
        Assert.Contains("did not converge", output);
        Assert.Contains("accuracy 100", output);
    }

    [Fact]
    public void Train_WritesARunFolder_EvalAndPredictUseIt_AndSeedsReproduce()
    {
        var dir1 = Temp(); var dir2 = Temp();
        var args = new[] { "train", "--model", "mlp:32", "--epochs", "1", "--batch-size", "256", "--seed", "7", "--threads", "2" };
        var (code, output, err) = Run([.. args, "--out", dir1]);
        Assert.True(code == 0, err);
        foreach (var f in new[] { "model.safetensors", "model.json", "history.csv", "metrics.json", "loss.png" })
            Assert.True(File.Exists(Path.Combine(dir1, f)), f);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir1, "metrics.json")));
        var acc = metrics.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(acc, 0.9, 1.0);
        foreach (var k in new[] { "test_loss", "epochs", "seconds", "seed" }) Assert.True(metrics.RootElement.TryGetProperty(k, out _), k);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir1, "history.csv")).Length);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(dir1, "loss.png")).Take(4));

        // Same seed again: identical weights and metrics (apart from the time taken).
        Assert.Equal(0, Run([.. args, "--threads", "1", "--out", dir2]).Code);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir1, "model.safetensors")), File.ReadAllBytes(Path.Combine(dir2, "model.safetensors")));
        static string NoTime(string dir) => string.Join("\n", File.ReadAllLines(Path.Combine(dir, "metrics.json")).Where(l => !l.Contains("\"seconds\"") && !l.Contains("\"threads\"")));
        Assert.Equal(NoTime(dir1), NoTime(dir2));

        var ev = Run("eval", "--model", dir1);
        Assert.Equal(0, ev.Code);
        Assert.Contains($"test_accuracy={acc:F4}", ev.Out);

        // predict: a test digit written as a PNG (black on white, so it is also inverted on the way in).
        var png = Path.Combine(dir1, "digit.png");
        WriteDigitPng(png);
        var pr = Run("predict", "--model", dir1, png);
        Assert.True(pr.Code == 0, pr.Err);
        Assert.Contains("predicted: 7", pr.Out);

        var missing = Run("predict", "--model", dir1, Path.Combine(dir1, "nope.png"));
        Assert.Equal(2, missing.Code); Assert.Contains("nope.png", missing.Err);
        File.WriteAllText(Path.Combine(dir1, "junk.png"), "not an image");
        var junk = Run("predict", "--model", dir1, Path.Combine(dir1, "junk.png"));
        Assert.Equal(2, junk.Code); Assert.Contains("junk.png", junk.Err);

        // A truncated weights file is reported, not crashed on.
        var w = Path.Combine(dir1, "model.safetensors");
        File.WriteAllBytes(w, File.ReadAllBytes(w)[..100]);
        var bad = Run("eval", "--model", dir1);
        Assert.Equal(2, bad.Code); Assert.Contains("model.safetensors", bad.Err);
    }

    /// <summary>The first MNIST test image (a 7), un-normalised and written as a 56×56 black-on-white PNG.</summary>
    static void WriteDigitPng(string path)
    {
        var test = Sinapse.Data.Mnist.LoadTest(Sinapse.Data.Mnist.FindDefaultDirectory()!);
        var img = test[0].Input.ToArray();
        using var bmp = new SkiaSharp.SKBitmap(56, 56);
        for (int y = 0; y < 56; y++)
            for (int x = 0; x < 56; x++)
            {
                float v = img[(y / 2) * 28 + x / 2] * Sinapse.Data.Mnist.Std + Sinapse.Data.Mnist.Mean;
                byte g = (byte)Math.Clamp(255 - v * 255, 0, 255);
                bmp.SetPixel(x, y, new SkiaSharp.SKColor(g, g, g));
            }
        using var data = bmp.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
