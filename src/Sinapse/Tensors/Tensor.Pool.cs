using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Sinapse.Kernels;

namespace Sinapse;

// Pooling and nearest-neighbour upsampling over the last two axes of (N, C, H, W), one (sample, channel) plane per task.
public sealed partial class Tensor
{
    /// <summary>
    /// Max pooling: each output is the largest value of its window (padding counts as −∞). Backward: the gradient goes
    /// to the position that held the maximum (the first one on ties), as in PyTorch.
    /// Shape: (N, C, H, W) → (N, C, ⌊(H + 2·padding − kernel)/stride⌋ + 1, …); stride defaults to the kernel.
    /// </summary>
    public Tensor MaxPool2d(int kernel, int? stride = null, int padding = 0)
    {
        var x = this;
        var (n, c, h, w, oh, ow, s) = PoolGeometry("MaxPool2d", kernel, stride, padding);
        if (padding * 2 > kernel) throw new ArgumentException($"MaxPool2d: padding {padding} must be at most half the kernel {kernel}.");
        var xc = x.IsContiguous ? x : x.NoGraph().Contiguous();
        var output = Uninitialized([n, c, oh, ow]);
        // The index within its plane of each output's maximum, saved for backward; a float tensor holds the ints so that
        // the engine pools it like any other.
        var argmaxStore = Uninitialized([n * c * oh * ow]);
        float[] xd = xc.data, od = output.data, ad = argmaxStore.data;
        int xo = xc.offset;
        bool halving = kernel == 2 && s == 2 && padding == 0; // the common 2×2 pooling: windows tile the plane
        ForPlanes(n * c, h * w, (p0, p1) =>
        {
            var argmax = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(ad.AsSpan());
            for (int p = p0; p < p1; p++)
                if (halving) MaxPool2x2Plane(xd.AsSpan(xo + p * h * w, h * w), od.AsSpan(p * oh * ow, oh * ow), argmax.Slice(p * oh * ow, oh * ow), h, w, oh, ow);
                else MaxPoolPlane(xd.AsSpan(xo + p * h * w, h * w), od.AsSpan(p * oh * ow, oh * ow), argmax.Slice(p * oh * ow, oh * ow), h, w, oh, ow, kernel, s, padding);
        });
        return Autograd.Record(output, "MaxPool2d", [x], gOut =>
        {
            var gy = gOut.IsContiguous ? gOut : gOut.NoGraph().Contiguous();
            // Each plane is cleared just before its scatter, while it is in cache, instead of in a pass of its own.
            var gx = Uninitialized(x.shape);
            float[] gd = gy.data, dx = gx.data;
            int go = gy.offset;
            ForPlanes(n * c, h * w, (p0, p1) =>
            {
                var argmax = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(argmaxStore.data.AsSpan());
                for (int p = p0; p < p1; p++)
                {
                    var plane = dx.AsSpan(p * h * w, h * w);
                    plane.Clear();
                    for (int k = p * oh * ow; k < (p + 1) * oh * ow; k++) plane[argmax[k]] += gd[go + k];
                }
            });
            return [gx];
        });
    }

    /// <summary>
    /// One plane of 2×2 max pooling with stride 2 and no padding, read through refs (the windows lie inside the plane by
    /// construction). Eight outputs at a time: a row's even and odd columns are split apart by narrowing its pairs, and
    /// the four values of each window compared lane by lane; the rest one window at a time, compared without branches
    /// (on real activations the comparisons are unpredictable: branching cost 5× more). A window with a NaN takes the
    /// general path. Ties go to the first maximum in row-major order, as in PyTorch: the right value wins only if
    /// larger, the lower row only if larger than the upper row's winner.
    /// </summary>
    static void MaxPool2x2Plane(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int h, int w, int oh, int ow)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref int pa = ref MemoryMarshal.GetReference(argmax);
        var evens = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        int wide = Vector256.IsHardwareAccelerated ? ow - 8 : -1;
        for (int r = 0; r < oh; r++)
        {
            int q = 0;
            for (; q <= wide; q += 8)
            {
                int k = r * ow + q, r0 = 2 * (r * w + q), r1 = r0 + w;
                // (a b) pairs of the upper row, (c d) of the lower: a = the even columns, b = the odd ones.
                var t0 = Vector256.LoadUnsafe(ref px, (nuint)r0).AsUInt64(); var t1 = Vector256.LoadUnsafe(ref px, (nuint)(r0 + 8)).AsUInt64();
                var u0 = Vector256.LoadUnsafe(ref px, (nuint)r1).AsUInt64(); var u1 = Vector256.LoadUnsafe(ref px, (nuint)(r1 + 8)).AsUInt64();
                var a = Vector256.Narrow(t0, t1).AsSingle(); var b = Vector256.Narrow(t0 >>> 32, t1 >>> 32).AsSingle();
                var c = Vector256.Narrow(u0, u1).AsSingle(); var d = Vector256.Narrow(u0 >>> 32, u1 >>> 32).AsSingle();
                var sum = a + b + c + d;
                if (!Vector256.EqualsAll(sum, sum))
                {
                    for (int j = q; j < q + 8; j++) MaxPoolWindow(x, y, argmax, h, w, ow, 2, 2, 0, r, j);
                    continue;
                }
                var best = Vector256.Max(a, b); var lowBest = Vector256.Max(c, d);
                var at = Vector256.Create(r0) + evens - Vector256.GreaterThan(b, a).AsInt32();
                var low = Vector256.Create(r1) + evens - Vector256.GreaterThan(d, c).AsInt32();
                Vector256.ConditionalSelect(Vector256.GreaterThan(lowBest, best).AsInt32(), low, at).StoreUnsafe(ref pa, (nuint)k);
                Vector256.Max(best, lowBest).StoreUnsafe(ref py, (nuint)k);
            }
            for (; q < ow; q++)
            {
                int k = r * ow + q, r0 = 2 * (r * w + q), r1 = r0 + w;
                float a = Unsafe.Add(ref px, r0), b = Unsafe.Add(ref px, r0 + 1), c = Unsafe.Add(ref px, r1), d = Unsafe.Add(ref px, r1 + 1);
                if (float.IsNaN(a + b + c + d))
                {
                    MaxPoolWindow(x, y, argmax, h, w, ow, 2, 2, 0, r, q);
                    continue;
                }
                int at = r0 + Unsafe.BitCast<bool, byte>(b > a);
                float best = MathF.Max(a, b);
                int low = r1 + Unsafe.BitCast<bool, byte>(d > c);
                float lowBest = MathF.Max(c, d);
                Unsafe.Add(ref pa, k) = at + Unsafe.BitCast<bool, byte>(lowBest > best) * (low - at);
                Unsafe.Add(ref py, k) = MathF.Max(best, lowBest);
            }
        }
    }

    /// <summary>One plane of max pooling: y and the within-plane index of each maximum (the first on ties; a NaN wins).</summary>
    static void MaxPoolPlane(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int h, int w, int oh, int ow, int kernel, int s, int padding)
    {
        for (int r = 0; r < oh; r++)
            for (int q = 0; q < ow; q++) MaxPoolWindow(x, y, argmax, h, w, ow, kernel, s, padding, r, q);
    }

    /// <summary>Output (r, q) of one plane of max pooling.</summary>
    static void MaxPoolWindow(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int h, int w, int ow, int kernel, int s, int padding, int r, int q)
    {
        int k = r * ow + q;
        int y0 = r * s - padding, x0 = q * s - padding;
        int i0 = Math.Max(0, y0), i1 = Math.Min(h, y0 + kernel), j0 = Math.Max(0, x0), j1 = Math.Min(w, x0 + kernel);
        float m = float.NegativeInfinity; int where = i0 * w + j0;
        for (int i = i0; i < i1 && !float.IsNaN(m); i++)
            for (int j = j0; j < j1; j++)
            {
                float v = x[i * w + j];
                if (v > m || float.IsNaN(v)) { m = v; where = i * w + j; if (float.IsNaN(v)) break; }
            }
        y[k] = m; argmax[k] = where;
    }

    /// <summary>
    /// Average pooling over each window; with <paramref name="countIncludePad"/> (PyTorch's default) the padding's
    /// zeros count in the divisor. Shape: as <see cref="MaxPool2d"/>.
    /// </summary>
    public Tensor AvgPool2d(int kernel, int? stride = null, int padding = 0, bool countIncludePad = true)
    {
        var (_, _, h, w, oh, ow, s) = PoolGeometry("AvgPool2d", kernel, stride, padding);
        if (padding * 2 > kernel) throw new ArgumentException($"AvgPool2d: padding {padding} must be at most half the kernel {kernel}.");
        // Window of output o along an axis of the given size: [lo, hi) inside the input, and its length counted for the
        // divisor (the padded window when the padding counts).
        (int[] Lo, int[] Hi, int[] Count) Windows(int outSize, int size)
        {
            var (lo, hi, count) = (new int[outSize], new int[outSize], new int[outSize]);
            for (int o = 0; o < outSize; o++)
            {
                int start = o * s - padding;
                lo[o] = Math.Max(0, start); hi[o] = Math.Min(size, start + kernel);
                count[o] = countIncludePad ? Math.Min(size + padding, start + kernel) - start : hi[o] - lo[o];
            }
            return (lo, hi, count);
        }
        return AveragePool("AvgPool2d", Windows(oh, h), Windows(ow, w));
    }

    /// <summary>
    /// Adaptive average pooling to a fixed output size (global average pooling with 1×1): output cell (i, j) averages
    /// rows ⌊i·H/OH⌋ … ⌈(i+1)·H/OH⌉ − 1 and the columns likewise, as in PyTorch. Shape: (N, C, H, W) → (N, C, OH, OW).
    /// </summary>
    public Tensor AdaptiveAvgPool2d(int outHeight, int outWidth)
    {
        if (Rank != 4) throw new ArgumentException($"AdaptiveAvgPool2d: input must be 4-D (N, C, H, W), got {ShapeUtil.Str(shape)}.");
        if (outHeight < 1 || outWidth < 1) throw new ArgumentException($"AdaptiveAvgPool2d: output size {outHeight}×{outWidth} must be positive.");
        static (int[] Lo, int[] Hi, int[] Count) Windows(int outSize, int size)
        {
            var (lo, hi, count) = (new int[outSize], new int[outSize], new int[outSize]);
            for (int o = 0; o < outSize; o++)
            {
                lo[o] = (int)((long)o * size / outSize);
                hi[o] = (int)(((long)(o + 1) * size + outSize - 1) / outSize);
                count[o] = hi[o] - lo[o];
            }
            return (lo, hi, count);
        }
        return AveragePool("AdaptiveAvgPool2d", Windows(outHeight, shape[2]), Windows(outWidth, shape[3]));
    }

    /// <summary>
    /// Averages each output cell's window, given per axis as [lo, hi) and the count that divides; the divisor of cell
    /// (i, j) is rows.Count[i]·cols.Count[j]. Backward spreads each gradient evenly over its window.
    /// </summary>
    Tensor AveragePool(string op, (int[] Lo, int[] Hi, int[] Count) rows, (int[] Lo, int[] Hi, int[] Count) cols)
    {
        var x = this;
        int n = shape[0], c = shape[1], h = shape[2], w = shape[3], oh = rows.Lo.Length, ow = cols.Lo.Length;
        var xc = x.IsContiguous ? x : x.NoGraph().Contiguous();
        var output = Uninitialized([n, c, oh, ow]);
        float[] xd = xc.data, od = output.data;
        int xo = xc.offset;
        ForPlanes(n * c, h * w, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
                for (int y = 0; y < oh; y++)
                    for (int q = 0; q < ow; q++)
                    {
                        float sum = 0;
                        for (int i = rows.Lo[y]; i < rows.Hi[y]; i++)
                            for (int j = cols.Lo[q]; j < cols.Hi[q]; j++) sum += xd[xo + p * h * w + i * w + j];
                        od[p * oh * ow + y * ow + q] = sum / ((float)rows.Count[y] * cols.Count[q]);
                    }
        });
        return Autograd.Record(output, op, [x], gOut =>
        {
            var gy = gOut.IsContiguous ? gOut : gOut.NoGraph().Contiguous();
            var gx = Zeros(x.shape);
            float[] gd = gy.data, dx = gx.data;
            int go = gy.offset;
            ForPlanes(n * c, h * w, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                    for (int y = 0; y < oh; y++)
                        for (int q = 0; q < ow; q++)
                        {
                            float v = gd[go + p * oh * ow + y * ow + q] / ((float)rows.Count[y] * cols.Count[q]);
                            for (int i = rows.Lo[y]; i < rows.Hi[y]; i++)
                                for (int j = cols.Lo[q]; j < cols.Hi[q]; j++) dx[p * h * w + i * w + j] += v;
                        }
            });
            return [gx];
        });
    }

    /// <summary>
    /// Nearest-neighbour upsampling by whole factors: each value becomes a scaleH×scaleW block. Backward: each input's
    /// gradient is the sum over its block. Shape: (N, C, H, W) → (N, C, H·scaleH, W·scaleW).
    /// </summary>
    public Tensor UpsampleNearest(int scaleH, int scaleW)
    {
        var x = this;
        if (x.Rank != 4) throw new ArgumentException($"Upsample: input must be 4-D (N, C, H, W), got {ShapeUtil.Str(x.shape)}.");
        if (scaleH < 1 || scaleW < 1) throw new ArgumentException($"Upsample: scale factors {scaleH}×{scaleW} must be positive whole numbers.");
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], oh = h * scaleH, ow = w * scaleW;
        var xc = x.IsContiguous ? x : x.NoGraph().Contiguous();
        var output = Uninitialized([n, c, oh, ow]);
        float[] xd = xc.data, od = output.data;
        int xo = xc.offset;
        ForPlanes(n * c, oh * ow, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) od[p * oh * ow + y * ow + xx] = xd[xo + p * h * w + y / scaleH * w + xx / scaleW];
        });
        return Autograd.Record(output, "Upsample", [x], gOut =>
        {
            var gy = gOut.IsContiguous ? gOut : gOut.NoGraph().Contiguous();
            var gx = Zeros(x.shape);
            float[] gd = gy.data, dx = gx.data;
            int go = gy.offset;
            ForPlanes(n * c, oh * ow, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                    for (int y = 0; y < oh; y++)
                        for (int xx = 0; xx < ow; xx++) dx[p * h * w + y / scaleH * w + xx / scaleW] += gd[go + p * oh * ow + y * ow + xx];
            });
            return [gx];
        });
    }

    (int N, int C, int H, int W, int OH, int OW, int Stride) PoolGeometry(string op, int kernel, int? stride, int padding)
    {
        if (Rank != 4) throw new ArgumentException($"{op}: input must be 4-D (N, C, H, W), got {ShapeUtil.Str(shape)}.");
        int s = stride ?? kernel;
        if (kernel < 1 || s < 1 || padding < 0) throw new ArgumentException($"{op}: kernel {kernel} and stride {s} must be positive and padding {padding} non-negative.");
        int h = shape[2], w = shape[3];
        if (h + 2 * padding < kernel || w + 2 * padding < kernel)
            throw new ArgumentException($"{op}(k{kernel}): input {h}×{w} is smaller than the kernel (input {ShapeUtil.Str(shape)}).");
        return (shape[0], shape[1], h, w, (h + 2 * padding - kernel) / s + 1, (w + 2 * padding - kernel) / s + 1, s);
    }

    /// <summary>Runs body over planes [0, planes), split across the team when there is enough work.</summary>
    static void ForPlanes(int planes, int perPlane, Action<int, int> body) =>
        ParallelLoop.For(planes, Math.Max(1, ParallelLoop.ElementwiseThreshold / Math.Max(1, perPlane)), body, align: 1);
}
