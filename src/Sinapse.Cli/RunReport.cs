using System.Net;
using System.Text;
using System.Text.Json;
using SkiaSharp;

namespace Sinapse.Cli;

/// <summary>
/// index.html of a run folder: one self-contained page (every picture embedded, no server, no network) with the
/// run's metrics, its model summary, its plots and pictures, and sample predictions with their images when the
/// command gives them. Written after every command that makes a run folder.
/// </summary>
internal static class RunReport
{
    public const string FileName = "index.html", SummaryFile = "summary.txt";

    /// <summary>One test image with the model's prediction.</summary>
    public sealed record Prediction(float[] Pixels, int Height, int Width, string Predicted, float Probability, string Actual);

    /// <summary>Writes (or rewrites) <paramref name="dir"/>/index.html from what the folder holds.</summary>
    public static void Write(string dir, string? title = null, IReadOnlyList<Prediction>? predictions = null)
    {
        var html = new StringBuilder();
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
        title ??= $"Sinapse run {name}";
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
            table { border-collapse: collapse; } td, th { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            figure { display: inline-block; margin: 6px; text-align: center; vertical-align: top; }
            figure img { max-width: 100%; border: 1px solid #ddd; } .digit img { width: 84px; image-rendering: pixelated; }
            figcaption { font-size: 0.85em; } .wrong { color: #b00; } pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }
            </style></head><body>
            <h1>{{E(title)}}</h1>
            <p>Run folder <code>{{E(Path.GetFullPath(dir))}}</code>, written {{DateTime.Now:yyyy-MM-dd HH:mm}}.</p>

            """);
        var metrics = Directory.GetFiles(dir, "*.json").Where(f => Path.GetFileName(f) is not ("model.json" or "vocab.json")).OrderBy(f => f).ToList();
        foreach (var file in metrics)
        {
            var rows = Flat(file);
            if (rows.Count == 0) continue;
            html.Append($"<h2>{E(Path.GetFileName(file))}</h2>\n<table>\n");
            foreach (var (k, v) in rows) html.Append($"<tr><th>{E(k)}</th><td class=\"num\">{E(v)}</td></tr>\n");
            html.Append("</table>\n");
        }
        var summary = Path.Combine(dir, SummaryFile);
        if (File.Exists(summary)) html.Append($"<h2>Model</h2>\n<pre>{E(File.ReadAllText(summary))}</pre>\n");
        var pictures = Directory.GetFiles(dir, "*.png").OrderBy(f => Order(Path.GetFileName(f))).ThenBy(f => f).ToList();
        if (pictures.Count > 0)
        {
            html.Append("<h2>Plots and pictures</h2>\n");
            foreach (var p in pictures)
                html.Append($"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(p))}\" alt=\"{E(Path.GetFileName(p))}\"><figcaption>{E(Path.GetFileName(p))}</figcaption></figure>\n");
        }
        if (predictions is { Count: > 0 })
        {
            int right = predictions.Count(p => p.Predicted == p.Actual);
            html.Append($"<h2>Sample predictions ({right} of {predictions.Count} right)</h2>\n");
            foreach (var p in predictions)
            {
                bool ok = p.Predicted == p.Actual;
                html.Append($"<figure class=\"digit\"><img src=\"data:image/png;base64,{Convert.ToBase64String(Png(p.Pixels, p.Height, p.Width))}\" alt=\"test image\">" +
                    $"<figcaption class=\"{(ok ? "" : "wrong")}\">{E(p.Predicted)} ({p.Probability:P0}){(ok ? "" : $"<br>true {E(p.Actual)}")}</figcaption></figure>\n");
            }
        }
        html.Append("</body></html>\n");
        RunFolder.WriteText(Path.Combine(dir, FileName), html.ToString());
    }

    static string E(string s) => WebUtility.HtmlEncode(s);

    // The curves first, then the confusion matrix, then the rest alphabetically.
    static int Order(string file) => file switch { "loss.png" or "returns.png" or "bpc.png" => 0, "confusion.png" => 1, _ => 2 };

    /// <summary>A JSON file's top-level numbers and strings as (key, text) rows; nothing for other shapes.</summary>
    static List<(string, string)> Flat(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return [];
            return doc.RootElement.EnumerateObject().Where(p => p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String)
                .Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out var d) ? d.ToString("G6", System.Globalization.CultureInfo.InvariantCulture) : p.Value.ToString())).ToList();
        }
        catch (JsonException) { return []; }
    }

    /// <summary>A grayscale image (any range: its own minimum black, maximum white) as PNG bytes.</summary>
    static byte[] Png(float[] pixels, int h, int w)
    {
        using var bmp = new SKBitmap(w, h);
        float lo = pixels.Min(), hi = pixels.Max(), span = hi > lo ? hi - lo : 1f;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                byte g = (byte)Math.Clamp((pixels[y * w + x] - lo) / span * 255f, 0, 255);
                bmp.SetPixel(x, y, new SKColor(g, g, g));
            }
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
