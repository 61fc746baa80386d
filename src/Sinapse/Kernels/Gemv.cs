using System.Runtime.CompilerServices;
using System.Buffers;
using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>Below this many multiply-adds a matrix-vector product runs on the calling thread only.</summary>
    const long GemvParallelMinWork = 1 << 15;

    /// <summary>
    /// The m = 1 case, y[n] (+)= x[k]·B[k×n]: single-sample inference. It streams B once, so it is bound by memory
    /// bandwidth, not arithmetic; on several threads each core streams its own slice of the columns (for a Linear
    /// weight, its own rows of W), so both cores' caches and load ports work on the weights at once.
    /// </summary>
    static void Gemv(int n, int k, Operand a, Operand b, float[] c, int cOffset, bool accumulate, bool relu)
    {
        float[]? rented = null;
        float[] x = a.Data; int xOff = a.Offset;
        if (a.ColStride != 1)
        {
            rented = ArrayPool<float>.Shared.Rent(k);
            for (int q = 0; q < k; q++) rented[q] = a.Data[a.Offset + q * a.ColStride];
            x = rented; xOff = 0;
        }
        try
        {
            var job = GemvJob.ForThisThread();
            job.Set(n, k, x, xOff, b, c, cOffset, accumulate);
            job.Relu = relu;
            job.Reverse = NextDirection(b.Data);
            int threads = Settings.Threads;
            if (threads <= 1 || (long)n * k < GemvParallelMinWork || !WorkerPool.TryRun(job, threads)) job.Execute(0, 1);
            job.Set(0, 0, null!, 0, default, null!, 0, false);
        }
        finally { if (rented != null) ArrayPool<float>.Shared.Return(rented); }
    }

    /// <summary>One direction bit per weight matrix (direct-mapped by identity hash; a collision only costs the trick).</summary>
    static readonly int[] directions = new int[64];

    /// <summary>
    /// Alternates the order in which a matrix's columns are streamed from one call to the next. A core's share of
    /// the weights (≈1 MB for W5's first layer) is larger than its L2 cache, so a forward sweep evicts exactly what
    /// the next forward sweep needs first; sweeping back again starts on the part still in L2.
    /// </summary>
    static bool NextDirection(float[] matrix)
    {
        int slot = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(matrix) & (directions.Length - 1);
        return (Interlocked.Increment(ref directions[slot]) & 1) == 0;
    }

    sealed class GemvJob : ITeamJob
    {
        public bool Reverse, Relu;
        [ThreadStatic] static GemvJob? local;
        public static GemvJob ForThisThread() => local ??= new GemvJob();
        int n, k, xOff, cOffset; float[] x = null!, c = null!; Operand b; bool add;

        public void Set(int n, int k, float[] x, int xOff, Operand b, float[] c, int cOffset, bool add)
        { this.n = n; this.k = k; this.x = x; this.xOff = xOff; this.b = b; this.c = c; this.cOffset = cOffset; this.add = add; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
        public void Execute(int t, int threads)
        {
            var (j0, j1) = ColumnShare(n, t, threads);
            if (j0 >= j1) return;
            fixed (float* px = x, pb = b.Data, pc = c)
            {
                float* xs = px + xOff, bs = pb + b.Offset, y = pc + cOffset;
                if (b.RowStride == 1) SplitDot(k, xs, bs, b.ColStride, y, j0, j1, add, Reverse);
                else if (b.ColStride == 1) AxpyRows(k, xs, bs, b.RowStride, y, j0, j1, add);
                else
                    for (int j = j0; j < j1; j++)
                    {
                        float s = 0;
                        for (int q = 0; q < k; q++) s += xs[q] * bs[(long)q * b.RowStride + (long)j * b.ColStride];
                        y[j] = add ? y[j] + s : s;
                    }
                if (Relu) { var r = new Span<float>(y + j0, j1 - j0); System.Numerics.Tensors.TensorPrimitives.Max(r, 0f, r); }
            }
        }
    }

    /// <summary>Thread t's columns [j0, j1) of a product split T ways: whole groups of four, the rest to the last thread.</summary>
    static (int J0, int J1) ColumnShare(int n, int t, int threads) =>
        ((int)((long)n * t / threads) & ~3, t == threads - 1 ? n : (int)((long)n * (t + 1) / threads) & ~3);

    /// <summary>
    /// Thread t's share of y = relu?(W·x + b) with W row-major (rows k apart), exactly as <see cref="GemvJob"/>
    /// computes it for a Linear layer (y = b first, then the dot products added, then the clamp).
    /// </summary>
    static void DotShare(int t, int threads, int n, int k, float* x, float* w, float* bias, float* y, bool relu, bool reverse)
    {
        var (j0, j1) = ColumnShare(n, t, threads);
        if (j0 >= j1) return;
        if (bias != null) new Span<float>(bias + j0, j1 - j0).CopyTo(new Span<float>(y + j0, j1 - j0));
        SplitDot(k, x, w, k, y, j0, j1, bias != null, reverse);
        if (relu) { var r = new Span<float>(y + j0, j1 - j0); System.Numerics.Tensors.TensorPrimitives.Max(r, 0f, r); }
    }

    /// <summary>
    /// Where a single-sample dot product over k inputs is cut in two (0: not cut, below two 64-row blocks): after the
    /// first half of k's 64-row blocks, which is where two threads split a packed layer's outputs
    /// (<see cref="PackedRows"/>). A single-sample MLP chain (<see cref="GemvChain"/>) can then have each thread start
    /// the next small layer on its own half of the inputs with no barrier in between.
    /// </summary>
    internal static int DotSplit(int k)
    {
        int blocks = (k + PackedWeights.BlockRows - 1) / PackedWeights.BlockRows;
        return blocks < 2 ? 0 : blocks / 2 * PackedWeights.BlockRows;
    }

    /// <summary>
    /// y[j] (+)= x·B[:, j] as two dot products, over [0, h) and then [h, k) with h = <see cref="DotSplit"/>(k), added
    /// to y in that order: every single-sample dot product sums this way, whichever thread computes which part.
    /// </summary>
    static void SplitDot(int k, float* x, float* b, long cs, float* y, int j0, int j1, bool add, bool reverse)
    {
        int h = DotSplit(k);
        if (h == 0) { DotColumns(k, x, b, cs, y, j0, j1, add, reverse); return; }
        DotColumns(h, x, b, cs, y, j0, j1, add, reverse);
        DotColumns(k - h, x + h, b + h, cs, y, j0, j1, true, reverse);
    }

    /// <summary>y[j] (+)= x·B[:, j] with each column of B contiguous (cs apart): four columns share each load of x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void DotColumns(int k, float* x, float* b, long cs, float* y, int j0, int j1, bool add, bool reverse)
    {
        int groups = (j1 - j0) / 4, j;
        for (int gi = 0; gi < groups; gi++)
        {
            j = j0 + 4 * (reverse ? groups - 1 - gi : gi);
            float* w0 = b + j * cs, w1 = w0 + cs, w2 = w1 + cs, w3 = w2 + cs;
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            int q = 0;
            for (; q + 8 <= k; q += 8)
            {
                var xv = Vector256.Load(x + q);
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + q), xv, s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + q), xv, s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.Load(w2 + q), xv, s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.Load(w3 + q), xv, s3);
            }
            float r0 = Vector256.Sum(s0), r1 = Vector256.Sum(s1), r2 = Vector256.Sum(s2), r3 = Vector256.Sum(s3);
            for (; q < k; q++) { r0 += w0[q] * x[q]; r1 += w1[q] * x[q]; r2 += w2[q] * x[q]; r3 += w3[q] * x[q]; }
            if (add) { y[j] += r0; y[j + 1] += r1; y[j + 2] += r2; y[j + 3] += r3; }
            else { y[j] = r0; y[j + 1] = r1; y[j + 2] = r2; y[j + 3] = r3; }
        }
        for (j = j0 + 4 * groups; j < j1; j++)
        {
            // Same summation order as the four-column loop, so a column's result does not depend on the split.
            float* w = b + j * cs;
            Vector256<float> s = default;
            int q = 0;
            for (; q + 8 <= k; q += 8) s = Vector256.FusedMultiplyAdd(Vector256.Load(w + q), Vector256.Load(x + q), s);
            float r = Vector256.Sum(s);
            for (; q < k; q++) r += w[q] * x[q];
            y[j] = add ? y[j] + r : r;
        }
    }

    /// <summary>y[j0..j1] (+)= Σ_q x[q]·B[q, j0..j1] with the rows of B contiguous (rs apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void AxpyRows(int k, float* x, float* b, long rs, float* y, int j0, int j1, bool add)
    {
        int len = j1 - j0;
        var dst = new Span<float>(y + j0, len);
        if (!add) dst.Clear();
        for (int q = 0; q < k; q++)
        {
            float xq = x[q];
            float* row = b + q * rs + j0;
            int j = 0;
            var xv = Vector256.Create(xq);
            for (; j + 8 <= len; j += 8)
                Vector256.FusedMultiplyAdd(Vector256.Load(row + j), xv, Vector256.Load(y + j0 + j)).Store(y + j0 + j);
            for (; j < len; j++) y[j0 + j] = MathF.FusedMultiplyAdd(row[j], xq, y[j0 + j]);
        }
    }
}
