using System.ComponentModel;
using Sinapse.Vision;
using SkiaSharp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse filters IMAGE</c>: the classic 3×3 kernels run through Conv2d on each colour channel; one PNG per
/// filter and a contact sheet of all of them beside the original.
/// </summary>
internal sealed class FiltersCommand : Command<FiltersCommand.Settings>
{
    /// <summary>Longer side an image is scaled down to before filtering, so the column matrix stays small.</summary>
    const int MaxSide = 1024;

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IMAGE>"), Description("A PNG, JPEG, GIF, BMP or WebP image.")]
        public string Image { get; init; } = "";

        [CommandOption("--out <DIR>"), Description("Folder for the PNGs. Default: filters/<image name>.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var image = LoadRgb(s.Image);
        var dir = s.Out ?? Path.Combine("filters", Path.GetFileNameWithoutExtension(s.Image));
        Directory.CreateDirectory(dir);
        var tiles = new List<(string Name, SKBitmap Bitmap)> { ("original", ToBitmap(image, absolute: false)) };
        var table = new Table().AddColumns("filter", "kernel", "file");
        foreach (var (name, kernel) in ImageFilters.All)
        {
            Tensor y;
            using (Autograd.NoGrad()) y = ImageFilters.Apply(image, kernel);
            // Edge and gradient filters respond with both signs: their magnitude is what an eye reads as an edge.
            bool absolute = name.Contains("edge") || name.StartsWith("sobel");
            var bmp = ToBitmap(y, absolute);
            var file = Path.Combine(dir, $"{name}.png");
            Pictures.Save(bmp, file);
            tiles.Add((name, bmp));
            table.AddRow(name, string.Join(" ", kernel.Select(v => v.ToString("0.###"))), file);
        }
        var sheet = Path.Combine(dir, "contact-sheet.png");
        Pictures.Save(ContactSheet(tiles), sheet);
        foreach (var (_, b) in tiles) b.Dispose();
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"contact sheet: {sheet}");
        return 0;
    }

    /// <summary>The image as (1, 3, H, W) with values 0–255, scaled down so its longer side is at most <see cref="MaxSide"/>.</summary>
    internal static Tensor LoadRgb(string path)
    {
        using var src = ImageFile.Decode(path);
        double scale = Math.Min(1.0, (double)MaxSide / Math.Max(src.Width, src.Height));
        int w = Math.Max(1, (int)(src.Width * scale)), h = Math.Max(1, (int)(src.Height * scale));
        using var bmp = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.White);
            using var img = SKImage.FromBitmap(src);
            canvas.DrawImage(img, new SKRect(0, 0, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        var v = new float[3 * h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var c = bmp.GetPixel(x, y);
                v[y * w + x] = c.Red; v[h * w + y * w + x] = c.Green; v[2 * h * w + y * w + x] = c.Blue;
            }
        return Tensor.FromArray(v, 1, 3, h, w);
    }

    static SKBitmap ToBitmap(Tensor t, bool absolute)
    {
        int h = t.Shape[2], w = t.Shape[3];
        var v = t.ToArray();
        var bmp = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        byte B(float f) => (byte)Math.Clamp(MathF.Round(absolute ? MathF.Abs(f) : f), 0, 255);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                bmp.SetPixel(x, y, new SKColor(B(v[y * w + x]), B(v[h * w + y * w + x]), B(v[2 * h * w + y * w + x])));
        return bmp;
    }

    static SKBitmap ContactSheet(List<(string Name, SKBitmap Bitmap)> tiles)
    {
        const int cols = 5, label = 24, pad = 8;
        int tw = tiles[0].Bitmap.Width, th = tiles[0].Bitmap.Height;
        double scale = Math.Min(1.0, 300.0 / Math.Max(tw, th));
        int cw = (int)(tw * scale), ch = (int)(th * scale), rows = (tiles.Count + cols - 1) / cols;
        var sheet = new SKBitmap(cols * (cw + pad) + pad, rows * (ch + label + pad) + pad);
        using var canvas = new SKCanvas(sheet);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 16);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int i = 0; i < tiles.Count; i++)
        {
            int x = pad + i % cols * (cw + pad), y = pad + i / cols * (ch + label + pad);
            canvas.DrawText(tiles[i].Name, x, y + 17, font, paint);
            using var img = SKImage.FromBitmap(tiles[i].Bitmap);
            canvas.DrawImage(img, new SKRect(x, y + label, x + cw, y + label + ch), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        return sheet;
    }
}
