using System.Globalization;
using System.Text.Json;
using Sinapse.Data;
using SkiaSharp;

namespace Sinapse.Cli;

/// <summary>
/// A folder of images with one subfolder per class (torchvision's ImageFolder): DIR/cat/*.png, DIR/dog/*.jpg, …, or
/// DIR/train/CLASS/… beside DIR/test/CLASS/…. Without a test folder, a seeded tenth of each class is held out for
/// testing. Images are resized to one size, read as grayscale when every one is gray (else RGB), and normalised per
/// channel with the training images' mean and standard deviation; input.json keeps all that for predict and eval.
/// </summary>
internal static class ImageFolderData
{
    public const string InputJson = "input.json";
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// How a run reads images: "image-folder" runs resize and normalise per channel; "idx" runs (MNIST-format sets)
    /// read a picture as a digit (grayscale, white on black) with the set's normalisation.
    /// </summary>
    public sealed record Preprocessing(int Channels, int Height, int Width, float[] Mean, float[] Std, string[] Classes, ulong Seed, string Kind = "image-folder")
    {
        public int[] InputShape => [Channels, Height, Width];

        // Written by hand, not by JsonSerializer's reflection, which NativeAOT does not keep.
        public void Save(string path)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("kind", Kind);
                w.WriteNumber("channels", Channels); w.WriteNumber("height", Height); w.WriteNumber("width", Width);
                w.WriteStartArray("mean"); foreach (var v in Mean) w.WriteNumberValue(v); w.WriteEndArray();
                w.WriteStartArray("std"); foreach (var v in Std) w.WriteNumberValue(v); w.WriteEndArray();
                w.WriteStartArray("classes"); foreach (var c in Classes) w.WriteStringValue(c); w.WriteEndArray();
                w.WriteNumber("seed", Seed);
                w.WriteEndObject();
            }
            RunFolder.WriteText(path, System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        }

        public static Preprocessing? TryLoad(string runDir)
        {
            var path = Path.Combine(runDir, InputJson);
            if (!File.Exists(path)) return null;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                var r = doc.RootElement;
                float[] Floats(string k) => r.GetProperty(k).EnumerateArray().Select(e => e.GetSingle()).ToArray();
                return new Preprocessing(r.GetProperty("channels").GetInt32(), r.GetProperty("height").GetInt32(), r.GetProperty("width").GetInt32(),
                    Floats("mean"), Floats("std"), r.GetProperty("classes").EnumerateArray().Select(e => e.GetString() ?? "").ToArray(), r.GetProperty("seed").GetUInt64(),
                    r.TryGetProperty("kind", out var k) ? k.GetString() ?? "image-folder" : "image-folder");
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}: expected channels, height, width, mean, std, classes and seed ({e.Message}).", e);
            }
        }
    }

    /// <summary>Whether <paramref name="dir"/> is a folder of class subfolders holding images (and not of IDX files).</summary>
    public static bool Handles(string? dir) =>
        dir != null && Directory.Exists(dir) && !Directory.EnumerateFiles(dir, "*-ubyte*").Any() && ClassFolders(TrainRoot(dir)).Any();

    static string TrainRoot(string dir) => Directory.Exists(Path.Combine(dir, "train")) && Directory.Exists(Path.Combine(dir, "test")) ? Path.Combine(dir, "train") : dir;

    static IEnumerable<string> ClassFolders(string root) =>
        Directory.EnumerateDirectories(root).Where(d => Images(d).Any()).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal);

    static IEnumerable<string> Images(string dir) =>
        Directory.EnumerateFiles(dir).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).OrderBy(f => f, StringComparer.Ordinal);

    /// <summary>
    /// Loads the training and test images. With <paramref name="fixedAs"/> (a trained run's input.json) the same
    /// classes, size, channels, normalisation and split are used; otherwise they are worked out from the folder,
    /// the size being <paramref name="size"/>×<paramref name="size"/> when given, else the images' most common size.
    /// </summary>
    public static (TensorDataset Train, TensorDataset Test, Preprocessing P) Load(string dir, ulong seed, int? size = null, Preprocessing? fixedAs = null)
    {
        string root = TrainRoot(dir);
        string? testRoot = root != dir ? Path.Combine(dir, "test") : null;
        string[] classes = fixedAs?.Classes ?? ClassFolders(root).Select(d => Path.GetFileName(d)).ToArray();
        if (classes.Length < 2) throw new InvalidDataException($"'{dir}': an image folder needs at least two class subfolders with images, found {classes.Length}.");
        seed = fixedAs?.Seed ?? seed;
        var train = new List<(string File, int Label)>();
        var test = new List<(string File, int Label)>();
        var gen = new Generator(seed);
        for (int c = 0; c < classes.Length; c++)
        {
            var files = Directory.Exists(Path.Combine(root, classes[c])) ? Images(Path.Combine(root, classes[c])).ToArray() : [];
            if (testRoot != null)
            {
                train.AddRange(files.Select(f => (f, c)));
                var tf = Path.Combine(testRoot, classes[c]);
                if (Directory.Exists(tf)) test.AddRange(Images(tf).Select(f => (f, c)));
                continue;
            }
            var perm = gen.Permutation(files.Length);
            int nTest = files.Length >= 2 ? Math.Max(1, (int)Math.Round(files.Length * 0.1)) : 0;
            for (int i = 0; i < files.Length; i++) (i < nTest ? test : train).Add((files[perm[i]], c));
        }
        if (train.Count == 0 || test.Count == 0) throw new InvalidDataException($"'{dir}': {train.Count} training and {test.Count} test images; both sets need images.");
        var bitmaps = train.Concat(test).Select(t => ImageFile.Decode(t.File)).ToList();
        try
        {
            int h, w, channels;
            if (fixedAs != null) (h, w, channels) = (fixedAs.Height, fixedAs.Width, fixedAs.Channels);
            else
            {
                (h, w) = size is int s ? (s, s) : bitmaps.GroupBy(b => (b.Height, b.Width)).OrderByDescending(g => g.Count()).First().Key;
                channels = bitmaps.All(IsGray) ? 1 : 3;
            }
            var pixels = bitmaps.Select(b => Pixels(b, channels, h, w)).ToList();
            int per = channels * h * w, plane = h * w;
            float[] mean = fixedAs?.Mean ?? new float[channels], std = fixedAs?.Std ?? new float[channels];
            if (fixedAs == null)
                for (int ch = 0; ch < channels; ch++)
                {
                    double s1 = 0, s2 = 0; long n = 0;
                    for (int i = 0; i < train.Count; i++)
                        foreach (var v in pixels[i].AsSpan(ch * plane, plane)) { s1 += v; s2 += v * v; n++; }
                    mean[ch] = (float)(s1 / n);
                    std[ch] = (float)Math.Max(Math.Sqrt(Math.Max(s2 / n - mean[ch] * mean[ch], 0)), 1e-6);
                }
            foreach (var p in pixels)
                for (int ch = 0; ch < channels; ch++)
                    for (int k = 0; k < plane; k++) p[ch * plane + k] = (p[ch * plane + k] - mean[ch]) / std[ch];
            TensorDataset Set(int from, int count) => new(
                Tensor.FromArray(pixels.Skip(from).Take(count).SelectMany(p => p).ToArray(), count, channels, h, w),
                Tensor.FromArray(train.Concat(test).Skip(from).Take(count).Select(t => (float)t.Label).ToArray(), count));
            return (Set(0, train.Count), Set(train.Count, test.Count), new Preprocessing(channels, h, w, mean, std, classes, seed));
        }
        finally { foreach (var b in bitmaps) b.Dispose(); }
    }

    /// <summary>One image file as the run reads it: (1, C, H, W), normalised.</summary>
    public static Tensor LoadImage(string path, Preprocessing p)
    {
        using var bmp = ImageFile.Decode(path);
        var v = Pixels(bmp, p.Channels, p.Height, p.Width);
        int plane = p.Height * p.Width;
        for (int ch = 0; ch < p.Channels; ch++)
            for (int k = 0; k < plane; k++) v[ch * plane + k] = (v[ch * plane + k] - p.Mean[ch]) / p.Std[ch];
        return Tensor.FromArray(v, 1, p.Channels, p.Height, p.Width);
    }

    static bool IsGray(SKBitmap b)
    {
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
            {
                var c = b.GetPixel(x, y);
                if (c.Red != c.Green || c.Green != c.Blue) return false;
            }
        return true;
    }

    /// <summary>The image resized to h×w (bilinear), as C planes of values in [0, 1] (grayscale by luma when C = 1).</summary>
    static float[] Pixels(SKBitmap b, int channels, int h, int w)
    {
        using var resized = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(resized))
        {
            canvas.Clear(SKColors.Black);
            using var img = SKImage.FromBitmap(b);
            canvas.DrawImage(img, new SKRect(0, 0, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        }
        var v = new float[channels * h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var c = resized.GetPixel(x, y);
                int k = y * w + x;
                if (channels == 1) v[k] = (0.299f * c.Red + 0.587f * c.Green + 0.114f * c.Blue) / 255f;
                else { v[k] = c.Red / 255f; v[h * w + k] = c.Green / 255f; v[2 * h * w + k] = c.Blue / 255f; }
            }
        return v;
    }

    internal static string Describe(Preprocessing p, int train, int test) =>
        string.Create(CultureInfo.InvariantCulture, $"{train:N0} training and {test:N0} test images of {p.Classes.Length} classes ({string.Join(", ", p.Classes.Take(10))}{(p.Classes.Length > 10 ? ", …" : "")}), {p.Channels}×{p.Height}×{p.Width}");
}
