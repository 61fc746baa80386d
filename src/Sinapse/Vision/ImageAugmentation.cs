using Sinapse.Kernels;
using Sinapse.Training;

namespace Sinapse.Vision;

/// <summary>
/// Random image augmentation for a batch (N, C, H, W), seeded: each sample is shifted by up to
/// <see cref="MaxShift"/> pixels each way (pad-and-crop), rotated by up to ±<see cref="MaxRotationDegrees"/> about its
/// centre (bilinear), and mirrored left–right with probability ½ when <see cref="HorizontalFlip"/> is on (off for digits,
/// whose mirror images are other shapes). Pixels that come from outside the image take <see cref="Fill"/>.
/// </summary>
/// <remarks>
/// The random draws are made one sample after another on the calling thread, then the samples are transformed on all
/// cores: the same seed gives the same batches whatever the thread count. Shape: (N, C, H, W) → same.
/// </remarks>
public sealed class ImageAugmentation : IStateful
{
    readonly Generator gen;

    public int MaxShift { get; }
    public float MaxRotationDegrees { get; }
    public bool HorizontalFlip { get; }
    public float Fill { get; }

    public ImageAugmentation(int maxShift = 2, float maxRotationDegrees = 0f, bool horizontalFlip = false, float fill = 0f, ulong seed = 0)
    {
        if (maxShift < 0) throw new ArgumentException($"ImageAugmentation: shift {maxShift} must be non-negative.");
        if (!(maxRotationDegrees >= 0 && maxRotationDegrees <= 180)) throw new ArgumentException($"ImageAugmentation: rotation {maxRotationDegrees}° must be in [0, 180].");
        MaxShift = maxShift; MaxRotationDegrees = maxRotationDegrees; HorizontalFlip = horizontalFlip; Fill = fill;
        gen = new Generator(seed);
    }

    /// <summary>A new batch with each sample transformed; the input is left as it is.</summary>
    public Tensor Apply(Tensor batch)
    {
        if (batch.Rank != 4) throw new ArgumentException($"ImageAugmentation: batch must be (N, C, H, W), got {ShapeUtil.Str(batch.Shape)}.");
        int n = batch.Shape[0], c = batch.Shape[1], h = batch.Shape[2], w = batch.Shape[3];
        var draws = new (int Dy, int Dx, float Angle, bool Flip)[n];
        for (int i = 0; i < n; i++)
        {
            int dy = MaxShift > 0 ? gen.NextInt(2 * MaxShift + 1) - MaxShift : 0;
            int dx = MaxShift > 0 ? gen.NextInt(2 * MaxShift + 1) - MaxShift : 0;
            float angle = MaxRotationDegrees > 0 ? (gen.NextFloat() * 2 - 1) * MaxRotationDegrees * MathF.PI / 180f : 0f;
            bool flip = HorizontalFlip && gen.NextFloat() < 0.5f;
            draws[i] = (dy, dx, angle, flip);
        }
        var src = batch.Detach().Contiguous(); // a view when the batch is contiguous already: no copy
        var result = Tensor.Empty(batch.Shape);
        float fill = Fill;
        ParallelLoop.For(n, Math.Max(1, ParallelLoop.ElementwiseThreshold / Math.Max(1, c * h * w)), (i0, i1) =>
        {
            var from = src.AsReadOnlySpan();
            var to = result.AsSpan();
            for (int i = i0; i < i1; i++)
                for (int ch = 0; ch < c; ch++)
                    Transform(from.Slice((i * c + ch) * h * w, h * w), to.Slice((i * c + ch) * h * w, h * w), h, w, draws[i], fill);
        }, align: 1);
        return result;
    }

    /// <summary>One plane: each output pixel looks up where it came from (inverse mapping) and samples bilinearly.</summary>
    static void Transform(ReadOnlySpan<float> src, Span<float> dst, int h, int w, (int Dy, int Dx, float Angle, bool Flip) d, float fill)
    {
        float cy = (h - 1) / 2f, cx = (w - 1) / 2f, cos = MathF.Cos(d.Angle), sin = MathF.Sin(d.Angle);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                // Undo the shift, then the rotation about the centre, then the flip.
                float ry = y - d.Dy - cy, rx = x - d.Dx - cx;
                float sy = cos * ry - sin * rx + cy, sx = sin * ry + cos * rx + cx;
                if (d.Flip) sx = w - 1 - sx;
                dst[y * w + x] = Sample(src, h, w, sy, sx, fill);
            }
    }

    static float Sample(ReadOnlySpan<float> src, int h, int w, float y, float x, float fill)
    {
        int y0 = (int)MathF.Floor(y), x0 = (int)MathF.Floor(x);
        float fy = y - y0, fx = x - x0;
        // Exact pixel positions (shifts and flips) read one value, so they copy bit for bit.
        if (fy == 0 && fx == 0) return At(src, h, w, y0, x0, fill);
        return (1 - fy) * ((1 - fx) * At(src, h, w, y0, x0, fill) + fx * At(src, h, w, y0, x0 + 1, fill))
            + fy * ((1 - fx) * At(src, h, w, y0 + 1, x0, fill) + fx * At(src, h, w, y0 + 1, x0 + 1, fill));
    }

    static float At(ReadOnlySpan<float> src, int h, int w, int y, int x, float fill) =>
        (uint)y < (uint)h && (uint)x < (uint)w ? src[y * w + x] : fill;

    /// <summary>Saves the generator's position, so a resumed run augments its next batches as the uninterrupted run would.</summary>
    public void SaveState(TrainingState state, string prefix) => state.Set(prefix + "generator", gen);

    public void LoadState(TrainingState state, string prefix) => state.GetGenerator(prefix + "generator", gen);
}
