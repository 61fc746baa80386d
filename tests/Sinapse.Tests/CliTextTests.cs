using System.Text.Json;
using Sinapse.Tests.Support;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

/// <summary>The character language model through the CLI: train --model charlstm and generate, on a small text.</summary>
[Collection(nameof(ProcessWideCollection))]
public class CliTextTests
{
    static string SmallText(string dir)
    {
        var path = Path.Combine(dir, "tale.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("Call me Ishmael. Some years ago, never mind how long precisely. ", 120)));
        return path;
    }

    [Fact]
    public void Charlstm_trains_writes_its_run_folder_and_generates()
    {
        var dir = Temp();
        var run = Path.Combine(dir, "run");
        var (code, output, err) = Run("train", "--model", "charlstm", "--data", "text:" + SmallText(dir), "--epochs", "2", "--batch-size", "4", "--out", run);
        Assert.True(code == 0, err);
        Assert.Contains("bits per character", output);
        foreach (var f in new[] { "model.json", "model.safetensors", "vocab.json", "history.csv", "metrics.json", "loss.png", "bpc.png", "sample.txt" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        double bpc = metrics.RootElement.GetProperty("heldout_bits_per_char").GetDouble();
        Assert.InRange(bpc, 0, Math.Log2(30)); // better than a uniform guess over the vocabulary
        Assert.StartsWith("Call me", File.ReadAllText(Path.Combine(run, "sample.txt")));

        var (gcode, text, gerr) = Run("generate", "--model", run, "--prompt", "Some", "--length", "40", "--temperature", "0.5");
        Assert.True(gcode == 0, gerr);
        Assert.StartsWith("Some", text);
        Assert.True(text.Trim().Length >= 44);
        var (again, text2, _) = Run("generate", "--model", run, "--prompt", "Some", "--length", "40", "--temperature", "0.5");
        Assert.Equal(0, again);
        Assert.Equal(text, text2); // seeded

        var (bad, _, berr) = Run("generate", "--model", run, "--prompt", "Some#");
        Assert.Equal(2, bad);
        Assert.Contains("'#'", berr);
    }

    [Fact]
    public void Adding_draws_the_three_cells()
    {
        var dir = Temp();
        var (code, output, err) = Run("adding", "--steps", "10", "--iterations", "20", "--hidden", "8", "--out", dir);
        Assert.True(code == 0, err);
        foreach (var cell in new[] { "rnn", "lstm", "gru" }) Assert.Contains(cell, output);
        Assert.True(new FileInfo(Path.Combine(dir, "adding.png")).Length > 1000);
    }

    [Theory]
    [InlineData("adding", "--steps", "1")]
    [InlineData("train", "--model", "charlstm")]
    [InlineData("train", "--model", "charlstm", "--data", "text:/nonexistent/book.txt")]
    [InlineData("train", "--model", "mlp", "--data", "text:moby-dick")]
    [InlineData("train", "--model", "charlstm", "--data", "text:moby-dick", "--minutes", "0")]
    [InlineData("generate")]
    [InlineData("generate", "--model", "/nonexistent/run")]
    public void Bad_text_usage_gives_a_one_line_error(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.DoesNotContain("   at ", err);
    }
}
