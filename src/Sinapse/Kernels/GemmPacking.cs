using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sinapse.Kernels;

/// <summary>GEMM operand packing: A into MR-row panels, B into NR-column panels, from any layout.</summary>
public static unsafe partial class Gemm
{
    /// <summary>Packs A[ic..ic+mc, pc..pc+kc] as MR-row panels, each stored k-major (MR values per k), zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void PackA(in Operand a, float* src, int ic, int pc, int mc, int kc, float* dst)
    {
        int rs = a.RowStride, cs = a.ColStride;
        for (int ir = 0; ir < mc; ir += MR, dst += MR * kc)
        {
            int mm = Math.Min(MR, mc - ir);
            float* s0 = src + a.Offset + (long)(ic + ir) * rs + (long)pc * cs;
            if (mm < MR) new Span<float>(dst, MR * kc).Clear();
            if (cs == 1 && mm == MR && Avx.IsSupported) PackRowPanel(s0, rs, kc, dst);
            else if (cs == 1)
            {
                // Row-major A: walk each row once, scattering into the panel with stride MR.
                for (int r = 0; r < mm; r++)
                {
                    float* s = s0 + (long)r * rs, d = dst + r;
                    for (int q = 0; q < kc; q++) d[q * MR] = s[q];
                }
            }
            else if (rs == 1 && mm == MR)
            {
                // Column-major (transposed) A, e.g. dyᵀ in dW = dyᵀ·x: for each k the six values are contiguous.
                for (int q = 0; q < kc; q++)
                {
                    float* s = s0 + (long)q * cs, d = dst + q * MR;
                    Vector128.Store(Vector128.Load(s), d);
                    *(long*)(d + 4) = *(long*)(s + 4);
                }
            }
            else
            {
                // Strided A: for each k the MR values are rs apart.
                for (int q = 0; q < kc; q++)
                {
                    float* s = s0 + (long)q * cs, d = dst + q * MR;
                    for (int r = 0; r < mm; r++) d[r] = s[(long)r * rs];
                }
            }
        }
    }

    /// <summary>
    /// All of B[k×n] packed as <see cref="Blocked"/> packs it, block after block: a matrix that several products read
    /// unchanged (a Linear weight at inference) is packed once. <paramref name="reuse"/> is taken when its size fits.
    /// </summary>
    internal static float[] PrepackB(Operand b, int k, int n, float[]? reuse)
    {
        int nr = NR, kBlocks = (k + KC - 1) / KC, kcStd = (k + kBlocks - 1) / kBlocks;
        long length = (long)k * ((n + nr - 1) / nr * nr);
        var dst = reuse != null && reuse.Length == length ? reuse : BufferPool.LongLived(checked((int)length), zero: false);
        fixed (float* src = b.Data, d = dst)
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc), panels = (nc + nr - 1) / nr;
                for (int pc = 0; pc < k; pc += kcStd)
                    PackB(b, src, pc, jc, Math.Min(kcStd, k - pc), nc, nr, d + PrepackedOffset(jc, pc, k, panels * nr), 0, panels);
            }
        return dst;
    }

    /// <summary>A Linear weight W (out, in) read as the B operand Wᵀ (in × out) of x·Wᵀ.</summary>
    internal static Operand WeightAsB(Tensor weight) => new(weight.data, weight.offset, weight.strides[1], weight.strides[0]);

    /// <summary>Where block (jc, pc) starts in a prepacked B: the full column blocks before it, then the k blocks.</summary>
    static long PrepackedOffset(int jc, int pc, int k, int ncPadded) => (long)jc * k + (long)pc * ncPadded;

    /// <summary>
    /// Packs panels [p0, p1) of B[pc..pc+kc, jc..jc+nc] as NR-column panels, each stored k-major (NR values per k),
    /// zero-padded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void PackB(in Operand b, float* src, int pc, int jc, int kc, int nc, int nr, float* dst, int p0, int p1)
    {
        int rs = b.RowStride, cs = b.ColStride;
        for (int panel = p0; panel < p1; panel++)
        {
            int jr = panel * nr, nn = Math.Min(nr, nc - jr);
            float* d = dst + (long)jr * kc;
            float* s0 = src + b.Offset + (long)pc * rs + (long)(jc + jr) * cs;
            if (nn < nr) new Span<float>(d, nr * kc).Clear();
            if (cs == 1 && nn == nr)
                PackRowsFull(s0, rs, kc, nr, d);
            else if (cs == 1)
            {
                // Row-major B: each k copies nn contiguous values.
                for (int q = 0; q < kc; q++)
                    new ReadOnlySpan<float>(s0 + (long)q * rs, nn).CopyTo(new Span<float>(d + q * nr, nn));
            }
            else if (rs == 1 && Avx.IsSupported)
                PackTransposed(s0, cs, kc, nn, nr, d);
            else
            {
                // Transposed B (e.g. a Linear weight read as Wᵀ): each column is contiguous along k when rs == 1.
                for (int j = 0; j < nn; j++)
                {
                    float* s = s0 + (long)j * cs, dj = d + j;
                    for (int q = 0; q < kc; q++) dj[q * nr] = s[(long)q * rs];
                }
            }
        }
    }

    /// <summary>A full-width panel of row-major B: for each k, NR contiguous values copied with vector moves. // (kc, nr)</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void PackRowsFull(float* s, int rs, int kc, int nr, float* d)
    {
        if (nr == 8)
        {
            for (int q = 0; q < kc; q++, s += rs, d += 8) { Vector128.Store(Vector128.Load(s), d); Vector128.Store(Vector128.Load(s + 4), d + 4); }
            return;
        }
        for (int q = 0; q < kc; q++, s += rs, d += nr)
            for (int j = 0; j < nr; j += 16)
            {
                Vector256.Store(Vector256.Load(s + j), d + j);
                Vector256.Store(Vector256.Load(s + j + 8), d + j + 8);
            }
    }

    /// <summary>
    /// Packs one panel of a transposed operand: column j of the panel is the contiguous run s[j·cs .. j·cs+kc)
    /// (a row of a Linear weight), and the panel wants NR values per k. Done in 8×8 blocks transposed in registers,
    /// so both the reads (8 rows, 32 bytes each) and the writes (32 bytes per k) are whole vectors; a scalar loop
    /// with a stride of NR floats on every write was the Linear forward's largest overhead.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void PackTransposed(float* s, int cs, int kc, int nn, int nr, float* d)
    {
        int j0 = 0;
        for (; j0 + 8 <= nn; j0 += 8)
        {
            float* r = s + (long)j0 * cs;
            int q = 0;
            for (; q + 8 <= kc; q += 8)
            {
                // rows r0..r7 hold columns j0..j0+7 of the panel at k = q..q+7     // (8 cols, 8 k) → (8 k, 8 cols)
                var r0 = Avx.LoadVector256(r + q); var r1 = Avx.LoadVector256(r + cs + q);
                var r2 = Avx.LoadVector256(r + 2L * cs + q); var r3 = Avx.LoadVector256(r + 3L * cs + q);
                var r4 = Avx.LoadVector256(r + 4L * cs + q); var r5 = Avx.LoadVector256(r + 5L * cs + q);
                var r6 = Avx.LoadVector256(r + 6L * cs + q); var r7 = Avx.LoadVector256(r + 7L * cs + q);
                TransposeStore(r0, r1, r2, r3, r4, r5, r6, r7, d + (long)q * nr + j0, nr);
            }
            for (; q < kc; q++)
                for (int j = 0; j < 8; j++) d[(long)q * nr + j0 + j] = r[(long)j * cs + q];
        }
        for (int j = j0; j < nn; j++)
        {
            float* c = s + (long)j * cs;
            for (int q = 0; q < kc; q++) d[(long)q * nr + j] = c[q];
        }
    }

    /// <summary>
    /// Packs one full MR-row panel of a row-major A: row r is the contiguous run s[r·rs .. r·rs+kc), and the panel
    /// wants the MR values of each k together. Blocks of 8 k are transposed in registers (rows 6 and 7 zero) and
    /// stored 8 wide at a stride of MR, each store overlapping the next one's first two lanes; the last block's two
    /// extra lanes land in the following panel or in the buffer's slack and are overwritten or unused.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void PackRowPanel(float* s, int rs, int kc, float* d)
    {
        var z = Vector256<float>.Zero;
        int q = 0;
        for (; q + 8 <= kc; q += 8)
        {
            var r0 = Avx.LoadVector256(s + q); var r1 = Avx.LoadVector256(s + rs + q);
            var r2 = Avx.LoadVector256(s + 2L * rs + q); var r3 = Avx.LoadVector256(s + 3L * rs + q);
            var r4 = Avx.LoadVector256(s + 4L * rs + q); var r5 = Avx.LoadVector256(s + 5L * rs + q);
            TransposeStore(r0, r1, r2, r3, r4, r5, z, z, d + q * MR, MR);
        }
        for (; q < kc; q++)
            for (int r = 0; r < MR; r++) d[q * MR + r] = s[(long)r * rs + q];
    }

    /// <summary>
    /// Transposes the 8×8 block whose rows are r0..r7 and stores its columns at o, o + stride, …, o + 7·stride
    /// (each 8 floats wide): unpack pairs, shuffle quads, swap 128-bit halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void TransposeStore(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* o, int stride)
    {
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(o, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(o + stride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(o + 2 * stride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(o + 3 * stride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(o + 4 * stride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(o + 5 * stride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(o + 6 * stride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(o + 7 * stride, Avx.Permute2x128(u3, u7, 0x31));
    }
}
