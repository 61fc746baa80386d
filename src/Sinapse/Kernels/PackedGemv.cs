using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

/// <summary>
/// A Linear layer's weight W (out, in) laid out again for inference (see <see cref="Layers.Inference"/>). For a single
/// sample: blocks of <see cref="BlockRows"/> output rows, each stored k-major (the block's 64 weights of input feature 0,
/// then of feature 1, …), zero-padded to whole blocks. y = W·x + b then reads each block as one contiguous run and
/// keeps the block's 64 sums in eight registers, adding x[q]·(64 weights) per input: no horizontal sums, one broadcast
/// per 64 weights. For a batch: Wᵀ in the GEMM's packed layout (<see cref="ForGemm"/>). Each copy remembers the weight's
/// storage, <see cref="Tensor.Version"/> and the SIMD width it was made for, and is rebuilt when any of them changes,
/// so it never serves stale weights and a write into another tensor never invalidates it.
/// </summary>
/// <remarks>
/// The sums follow the GEMM's order exactly (k cut into the same blocks, each summed from zero in k order and then
/// added to the output), so a sample alone gets bit-for-bit the output it gets as one row of a batch. The blocks start
/// on a 64-byte boundary.
/// </remarks>
internal sealed class PackedWeights
{
    /// <summary>Output rows per block: eight 8-float accumulators on AVX2 (four 16-float ones on AVX-512).</summary>
    public const int BlockRows = 64;

    float[]? packed, gemmB, gemmBAsIs;
    Stamp packedAt, gemmAt, gemmAsIsAt;

    /// <summary>What a copy was made from: the weight's storage and version, and the SIMD width (the layout follows it).</summary>
    readonly record struct Stamp(object? Storage, int Version, int Bits)
    {
        public static Stamp Of(Tensor w) => new(w.storage, w.Version, SimdWidth.Bits);
    }

    /// <summary>
    /// Smaller weights are not worth a second copy: below 2¹⁶ weights (256 KiB, half of a typical L2) the dot
    /// products on W are already served from cache.
    /// </summary>
    public const int MinWeights = 1 << 16;

    /// <summary>
    /// Whether products with <paramref name="weight"/> go through a packed copy. For such a weight a single sample is
    /// summed in the GEMM's order by the plain model too (<see cref="Tensor.Linear(Tensor, Tensor, Tensor?)"/>), and a
    /// smaller one by the same dot products in both, so a prepared model equals the plain one bit for bit.
    /// </summary>
    public static bool Applies(Tensor weight) => Gemm.Simd && (long)weight.shape[0] * weight.shape[1] >= MinWeights;

    /// <summary>The packed copy of <paramref name="weight"/>, rebuilt if the weight changed since it was made.</summary>
    public float[] For(Tensor weight)
    {
        var now = Stamp.Of(weight);
        if (packed != null && packedAt == now) return packed;
        int blocks = (weight.shape[0] + BlockRows - 1) / BlockRows;
        // 15 floats of slack: the blocks start at the array's first 64-byte boundary (it is pinned, so that stays put).
        long length = (long)blocks * BlockRows * weight.shape[1] + 15;
        if (packed == null || packed.Length != length) packed = BufferPool.LongLived(checked((int)length));
        Pack(weight, packed);
        packedAt = now;
        return packed;
    }

    /// <summary>
    /// Wᵀ packed as the GEMM packs its B operand (<see cref="Gemm.PrepackB"/>), for products of several samples at
    /// inference; rebuilt, like the single-sample copy, when the weight changed.
    /// </summary>
    public float[] ForGemm(Tensor weight)
    {
        var now = Stamp.Of(weight);
        if (gemmB != null && gemmAt == now) return gemmB;
        gemmB = Gemm.PrepackB(Gemm.WeightAsB(weight), weight.shape[1], weight.shape[0], gemmB);
        gemmAt = now;
        return gemmB;
    }

    /// <summary>
    /// W itself (out × in) in the GEMM's packed B layout, for products ∂y·W (a recurrent layer's backward through
    /// time multiplies by W_hh once per step); rebuilt when the weight changed.
    /// </summary>
    public float[] ForGemmAsIs(Tensor weight)
    {
        var now = Stamp.Of(weight);
        if (gemmBAsIs != null && gemmAsIsAt == now) return gemmBAsIs;
        gemmBAsIs = Gemm.PrepackB(new Gemm.Operand(weight.data, weight.offset, weight.strides[0], weight.strides[1]), weight.shape[0], weight.shape[1], gemmBAsIs);
        gemmAsIsAt = now;
        return gemmBAsIs;
    }

    /// <summary>
    /// Where the blocks start in a packed array: at its first 64-byte boundary, so that each 32-byte load lies within
    /// one cache line. The array is on the pinned object heap (<see cref="BufferPool.LongLived"/>) and never moves.
    /// </summary>
    public static unsafe float* Start(float* array) => array + ((64 - ((nint)array & 63)) & 63) / sizeof(float);

    /// <summary>packed[b, q, r] = W[b·64 + r, q], zero where b·64 + r ≥ out. // (out,in) → (blocks,in,64)</summary>
    static unsafe void Pack(Tensor w, float[] packedArray)
    {
        fixed (float* p = packedArray) Pack(w, new Span<float>(Start(p), packedArray.Length - 15));
    }

    static void Pack(Tensor w, Span<float> dst)
    {
        int outF = w.shape[0], inF = w.shape[1], rs = w.strides[0], cs = w.strides[1];
        float[] src = w.data;
        for (int j = 0; j < outF; j++)
        {
            int b = j / BlockRows, r = j % BlockRows;
            int o = b * BlockRows * inF + r;
            int s = w.offset + j * rs;
            for (int q = 0; q < inF; q++, o += BlockRows, s += cs) dst[o] = src[s];
        }
        int padded = (outF + BlockRows - 1) / BlockRows * BlockRows;
        for (int j = outF; j < padded; j++)
        {
            int o = j / BlockRows * BlockRows * inF + j % BlockRows;
            for (int q = 0; q < inF; q++, o += BlockRows) dst[o] = 0;
        }
    }
}

public static unsafe partial class Gemm
{
    internal static bool Simd => UseSimd;

    /// <summary>
    /// y[n] = W·x (+ b) with W packed by <see cref="PackedWeights"/> (n = out, k = in); ReLU on store when asked. Each
    /// thread takes a contiguous run of blocks, so each core streams its own part of the weights. The bias is read by
    /// the kernel as it stores its first k block: no pass over y before the product.
    /// </summary>
    internal static void PackedGemv(int n, int k, float[] packed, float[] x, int xOffset, float[]? bias, int biasOffset, float[] y, int yOffset, bool relu)
    {
        var job = PackedGemvJob.ForThisThread();
        job.Set(n, k, packed, x, xOffset, bias, biasOffset, y, yOffset, relu, NextDirection(packed));
        int threads = Settings.Threads;
        if (threads <= 1 || !WorkerPool.TryRun(job, threads)) job.Execute(0, 1);
        job.Set(0, 0, null!, null!, 0, null, 0, null!, 0, false, false);
    }

    sealed class PackedGemvJob : ITeamJob
    {
        [ThreadStatic] static PackedGemvJob? local;
        public static PackedGemvJob ForThisThread() => local ??= new PackedGemvJob();
        int n, k, xOffset, biasOffset, yOffset; float[] packed = null!, x = null!, y = null!; float[]? bias; bool relu, reverse;

        public void Set(int n, int k, float[] packed, float[] x, int xOffset, float[]? bias, int biasOffset, float[] y, int yOffset, bool relu, bool reverse)
        {
            this.n = n; this.k = k; this.packed = packed; this.x = x; this.xOffset = xOffset; this.bias = bias; this.biasOffset = biasOffset;
            this.y = y; this.yOffset = yOffset; this.relu = relu; this.reverse = reverse;
        }

        public void Execute(int t, int threads)
        {
            fixed (float* pw = packed, px = x, py = y, pbias = bias)
                PackedRows(t, threads, n, k, PackedWeights.Start(pw), px + xOffset, pbias == null ? null : pbias + biasOffset, py + yOffset, relu, reverse);
        }
    }

    /// <summary>Thread <paramref name="t"/>'s share of <see cref="PackedGemv"/>: a contiguous run of 64-row blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void PackedRows(int t, int threads, int n, int k, float* pw, float* x, float* bias, float* y, bool relu, bool reverse)
    {
        const int R = PackedWeights.BlockRows;
        int blocks = (n + R - 1) / R, b0 = blocks * t / threads, b1 = blocks * (t + 1) / threads;
        // k in the GEMM's blocks, so that each output is summed in the same order as a row of a batched product.
        int kBlocks = (k + KC - 1) / KC, kcStd = (k + kBlocks - 1) / kBlocks;
        float* tile = stackalloc float[R];
        bool wide = Use512; // read once: the width is a static the weight stream would evict
        for (int i = 0; i < b1 - b0; i++)
        {
            // Alternate sweeps run backwards and start on the blocks the previous call left in L2.
            int b = reverse ? b1 - 1 - i : b0 + i;
            int rows = Math.Min(R, n - b * R);
            float* yb = y + b * R, bb = bias == null ? null : bias + b * R;
            float* dst = rows == R ? yb : tile;
            if (rows < R && bb != null) { for (int r = 0; r < rows; r++) tile[r] = bb[r]; bb = tile; }
            for (int pc = 0; pc < k; pc += kcStd)
            {
                int kc = Math.Min(kcStd, k - pc);
                // The first block adds the bias (as a batched product adds its first block to C = b), the others add
                // to the partial sums already stored.
                float* addend = pc > 0 ? dst : bb;
                Block(kc, x + pc, pw + ((long)b * k + pc) * R, addend, dst, relu && pc + kc == k, wide);
            }
            if (rows < R) for (int r = 0; r < rows; r++) yb[r] = tile[r];
        }
    }

    /// <summary>
    /// y[0..64) = Σ_q x[q]·w[q, 0..64) (summed from zero in q order) + addend[0..64) (none when null), clamped at 0
    /// when asked; with Vector512 when <paramref name="wide"/>, else Vector256 (the same sums). // (kc)·(kc,64)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Block(int kc, float* x, float* w, float* addend, float* y, bool relu, bool wide)
    {
        if (wide)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int q = 0; q < kc; q++, w += 64)
            {
                var xv = Vector512.Create(x[q]);
                a0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w), a0); a1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w + 16), a1);
                a2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w + 32), a2); a3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(w + 48), a3);
            }
            if (addend != null) { a0 += Vector512.Load(addend); a1 += Vector512.Load(addend + 16); a2 += Vector512.Load(addend + 32); a3 += Vector512.Load(addend + 48); }
            Store512(y, a0, a1, false, relu); Store512(y + 32, a2, a3, false, relu);
            return;
        }
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int q = 0; q < kc; q++, w += 64)
        {
            var xv = Vector256.Create(x[q]);
            c0 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(w), c0); c1 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(w + 8), c1);
            c2 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(w + 16), c2); c3 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(w + 24), c3);
            c4 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(w + 32), c4); c5 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(w + 40), c5);
            c6 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(w + 48), c6); c7 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(w + 56), c7);
        }
        if (addend != null)
        {
            c0 += Vector256.Load(addend); c1 += Vector256.Load(addend + 8); c2 += Vector256.Load(addend + 16); c3 += Vector256.Load(addend + 24);
            c4 += Vector256.Load(addend + 32); c5 += Vector256.Load(addend + 40); c6 += Vector256.Load(addend + 48); c7 += Vector256.Load(addend + 56);
        }
        Store256(y, c0, c1, false, relu); Store256(y + 16, c2, c3, false, relu);
        Store256(y + 32, c4, c5, false, relu); Store256(y + 48, c6, c7, false, relu);
    }
}
