using System.Globalization;
using System.Text.Json;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;

namespace Sinapse.Cli;

/// <summary>The files of a training run: model.json, model.safetensors, history.csv, metrics.json, loss.png, confusion.png.</summary>
internal static class RunFolder
{
    public const string ModelJson = "model.json", Weights = "model.safetensors", HistoryCsv = "history.csv", MetricsJson = "metrics.json", LossPng = "loss.png", ConfusionPng = "confusion.png", AugmentedPng = "augmented.png",
        SettingsJson = "settings.json", Checkpoint = "checkpoint.safetensors";

    /// <summary>The folder a command writes to: --out when given, else runs/[PREFIX-]yyyyMMdd-HHmmss.</summary>
    public static string Choose(string? outOption, string? prefix = null) =>
        Current = MpiJob.IsMain ? outOption ?? Path.Combine("runs", (prefix != null ? prefix + "-" : "") + DateTime.Now.ToString("yyyyMMdd-HHmmss")) : MpiJob.ScratchFolder;

    /// <summary>The run folder the running command chose (its index.html is written when it succeeds); null before one is chosen.</summary>
    public static string? Current { get; set; }

    /// <summary>Rebuilds the model of a run folder from model.json and loads its weights.</summary>
    public static (Sequential Model, ModelSpec Spec) LoadModel(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Run folder '{dir}' not found; pass the --out folder of 'sinapse train'.");
        var (model, spec) = ModelSpec.LoadModel(Path.Combine(dir, ModelJson), Path.Combine(dir, Weights));
        model.Eval();
        return (model, spec);
    }

    public static string ResolveData(string? data)
    {
        var dir = data ?? Mnist.FindDefaultDirectory()
            ?? throw new DirectoryNotFoundException($"MNIST data not found: no data/mnist/SHA256SUMS above this folder or the program's, nor in {ShippedData.CacheDirectory()}; pass --data DIR (a folder with the four IDX files).");
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Data folder '{dir}' not found.");
        return dir;
    }

    public static void WriteMetrics(string path, IReadOnlyList<(string Key, object Value)> metrics)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var (k, v) in metrics)
                switch (v)
                {
                    case int i: w.WriteNumber(k, i); break;
                    case long l: w.WriteNumber(k, l); break;
                    case ulong u: w.WriteNumber(k, u); break;
                    case double d: w.WriteNumber(k, Math.Round(d, 6)); break;
                    case float f: w.WriteNumber(k, Math.Round((double)f, 6)); break;
                    default: w.WriteString(k, Convert.ToString(v, CultureInfo.InvariantCulture)); break;
                }
            w.WriteEndObject();
        }
        WriteBytes(path, ms.ToArray());
    }

    /// <summary>Writes a run file atomically: a temporary file beside it, then a rename, so a crash never leaves half a file.</summary>
    public static void WriteText(string path, string content) => WriteBytes(path, System.Text.Encoding.UTF8.GetBytes(content));

    static void WriteBytes(string path, byte[] bytes)
    {
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }
}
