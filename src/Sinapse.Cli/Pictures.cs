using Sinapse.Training;
using SkiaSharp;

namespace Sinapse.Cli;

/// <summary>PNG pictures of what a network holds and sees: grids of grayscale tiles, and the confusion matrix.</summary>
internal static class Pictures
{
    /// <summary>
    /// Writes the (h × w) tiles as a grid, each scaled to its own range (dark = lowest, light = highest) and enlarged
    /// <paramref name="zoom"/> times, with an optional caption above.
    /// </summary>
    public static void Grid(IReadOnlyList<float[]> tiles, int h, int w, string path, int zoom, string? caption = null, int? columns = null)
    {
        int cols = columns ?? (int)Math.Ceiling(Math.Sqrt(tiles.Count)), rows = (tiles.Count + cols - 1) / cols;
        const int pad = 2;
        int top = caption != null ? 22 : 0;
        int tw = w * zoom, th = h * zoom;
        using var bmp = new SKBitmap(Math.Max(cols * (tw + pad) + pad, 200), rows * (th + pad) + pad + top);
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(new SKColor(40, 40, 90));
            if (caption != null)
            {
                using var font = new SKFont(SKTypeface.Default, 14);
                using var ink = new SKPaint { Color = SKColors.White, IsAntialias = true };
                canvas.DrawText(caption, pad, 16, font, ink);
            }
            using var paint = new SKPaint();
            for (int t = 0; t < tiles.Count; t++)
            {
                var v = tiles[t];
                float lo = v.Min(), hi = v.Max(), span = hi > lo ? hi - lo : 1f;
                int x0 = pad + t % cols * (tw + pad), y0 = top + pad + t / cols * (th + pad);
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        byte g = (byte)Math.Clamp((v[y * w + x] - lo) / span * 255f, 0, 255);
                        paint.Color = new SKColor(g, g, g);
                        canvas.DrawRect(x0 + x * zoom, y0 + y * zoom, zoom, zoom, paint);
                    }
            }
        }
        Save(bmp, path);
    }

    /// <summary>The confusion matrix as a heat map: rows are the true classes, columns the predicted ones, cells shaded by the row's fraction and labelled with the count.</summary>
    public static void Confusion(ConfusionMatrix cm, string path)
    {
        const int cell = 44, margin = 60;
        int k = cm.Classes, size = margin + k * cell + 10;
        using var bmp = new SKBitmap(size, size);
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(SKTypeface.Default, 13);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var fill = new SKPaint();
            canvas.DrawText("predicted →", margin, 16, font, ink);
            canvas.DrawText("true ↓", 4, margin - 8, font, ink);
            for (int i = 0; i < k; i++)
            {
                int row = 0;
                for (int j = 0; j < k; j++) row += cm.Counts[i, j];
                canvas.DrawText(i.ToString(), margin + i * cell + cell / 2 - 4, margin - 8, font, ink);
                canvas.DrawText(i.ToString(), margin - 18, margin + i * cell + cell / 2 + 5, font, ink);
                for (int j = 0; j < k; j++)
                {
                    float f = row == 0 ? 0 : cm.Counts[i, j] / (float)row;
                    byte shade = (byte)(255 - 200 * MathF.Sqrt(f));
                    fill.Color = i == j ? new SKColor(shade, 255, shade) : new SKColor(255, shade, shade);
                    canvas.DrawRect(margin + j * cell, margin + i * cell, cell - 1, cell - 1, fill);
                    canvas.DrawText(cm.Counts[i, j].ToString(), margin + j * cell + 4, margin + i * cell + cell / 2 + 5, font, ink);
                }
            }
        }
        Save(bmp, path);
    }

    /// <summary>A rows × columns grid of values as grey cells (dark = low, light = high), each with its label.</summary>
    public static void HeatMap(float[] values, int rows, int columns, string[] labels, string path, string caption)
    {
        const int cell = 40, top = 24;
        using var bmp = new SKBitmap(Math.Max(columns * cell, 320), rows * cell + top);
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(SKTypeface.Default, 13);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(caption, 4, 16, font, ink);
            float lo = values.Min(), hi = values.Max(), span = hi > lo ? hi - lo : 1f;
            using var fill = new SKPaint();
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                {
                    byte g = (byte)Math.Clamp((values[r * columns + c] - lo) / span * 255f, 0, 255);
                    fill.Color = new SKColor(g, g, g);
                    canvas.DrawRect(c * cell, top + r * cell, cell, cell, fill);
                    using var label = new SKPaint { Color = g > 128 ? SKColors.Black : SKColors.White, IsAntialias = true };
                    canvas.DrawText(labels[r * columns + c], c * cell + cell / 2f - 4, top + r * cell + cell / 2f + 5, font, label);
                }
        }
        Save(bmp, path);
    }

    /// <summary>
    /// A grid world's cells coloured by value (red below 0, green above), each with its value and the policy's arrow;
    /// walls black, exits framed.
    /// </summary>
    public static void GridWorld(Sinapse.Reinforcement.GridWorld grid, double[] values, int[] policy, string path, string caption)
    {
        const int cell = 96, top = 28;
        using var bmp = new SKBitmap(Math.Max(grid.Columns * cell, 480), grid.Rows * cell + top);
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.White);
            using var font = new SKFont(SKTypeface.Default, 15);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var pen = new SKPaint { Color = SKColors.Black, IsAntialias = true, StrokeWidth = 3, Style = SKPaintStyle.Stroke };
            canvas.DrawText(caption, 4, 18, font, ink);
            double scale = Math.Max(1e-9, Enumerable.Range(0, grid.StateCount).Max(s => Math.Abs(grid.IsTerminal(s) ? grid.ExitRewards[s] : values[s])));
            using var fill = new SKPaint();
            for (int r = 0; r < grid.Rows; r++)
                for (int c = 0; c < grid.Columns; c++)
                {
                    float x = c * cell, y = top + r * cell;
                    int s = grid.StateAt(r, c);
                    if (s < 0) { fill.Color = SKColors.Black; canvas.DrawRect(x, y, cell, cell, fill); continue; }
                    double v = grid.IsTerminal(s) ? grid.ExitRewards[s] : values[s];
                    byte k = (byte)(255 - Math.Clamp(Math.Abs(v) / scale, 0, 1) * 160);
                    fill.Color = v >= 0 ? new SKColor(k, 255, k) : new SKColor(255, k, k);
                    canvas.DrawRect(x, y, cell, cell, fill);
                    using var grey = new SKPaint { Color = SKColors.Gray, Style = SKPaintStyle.Stroke, StrokeWidth = grid.IsTerminal(s) ? 4 : 1 };
                    canvas.DrawRect(x, y, cell, cell, grey);
                    canvas.DrawText(grid.IsTerminal(s) ? $"exit {v:+0.##;-0.##}" : v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture), x + 8, y + 20, font, ink);
                    if (policy[s] < 0) continue;
                    // The arrow: a shaft from the centre and a two-stroke head.
                    var (dx, dy) = policy[s] switch { 0 => (0f, -1f), 1 => (1f, 0f), 2 => (0f, 1f), _ => (-1f, 0f) };
                    float cx = x + cell / 2f, cy = y + cell / 2f + 8, len = cell * 0.28f;
                    float ex = cx + dx * len, ey = cy + dy * len;
                    canvas.DrawLine(cx - dx * len, cy - dy * len, ex, ey, pen);
                    canvas.DrawLine(ex, ey, ex - dx * 10 + dy * 8, ey - dy * 10 + dx * 8, pen);
                    canvas.DrawLine(ex, ey, ex - dx * 10 - dy * 8, ey - dy * 10 - dx * 8, pen);
                }
        }
        Save(bmp, path);
    }

    /// <summary>Writes a PNG atomically.</summary>
    public static void Save(SKBitmap bmp, string path)
    {
        var tmp = path + ".tmp";
        using (var data = bmp.Encode(SKEncodedImageFormat.Png, 100))
        using (var fs = File.Create(tmp)) data.SaveTo(fs);
        File.Move(tmp, path, overwrite: true);
    }
}
