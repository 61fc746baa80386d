using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

/// <summary>
/// Single-precision GEMM, C (+)= A·B, in the Goto/BLIS style: B is packed into NR-wide column panels (kc×NR),
/// A into MR-high row panels (MR×kc), and a register-tiled FMA micro-kernel computes MR×NR tiles of C.
/// Operands are read through arbitrary (row, column) strides, so transposed views cost nothing extra: the
/// packing step absorbs the layout. Work is split over cores by rows (or columns when C is wide), each output
/// element computed by exactly one thread in a fixed order: results are deterministic.
/// </summary>
public static unsafe partial class Gemm
{
    const int MR = 6;
    const int KC = 256;
    const int MC = 144;
    const int NC = 3072;
    static readonly bool Use512 = Vector512.IsHardwareAccelerated;
    static readonly bool UseSimd = Vector256.IsHardwareAccelerated;
    static int NR => Use512 ? 32 : 16;

    [ThreadStatic] static float[]? packA, packB;

    /// <summary>A matrix operand: storage, offset of element (0,0), row stride and column stride.</summary>
    public readonly record struct Operand(float[] Data, int Offset, int RowStride, int ColStride);

    /// <summary>
    /// C[m×n] = A[m×k]·B[k×n] (+ C when <paramref name="accumulate"/>). C is row-major with leading dimension ldc.
    /// </summary>
    public static void Multiply(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset, int ldc, bool accumulate)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.AsSpan(cOffset + i * ldc, n).Clear();
            return;
        }
        if (!UseSimd) { Naive(m, n, k, a, b, c, cOffset, ldc, accumulate); return; }

        int threads = Threading.Threads;
        long work = (long)m * n * k;
        if (threads == 1 || work < (1 << 20)) { Blocked(m, n, k, a, b, c, cOffset, ldc, accumulate); return; }

        // Split rows (multiples of MR) or, when C is wide and short, columns (multiples of NR).
        bool byRows = m >= n || m >= threads * 4 * MR;
        int units = byRows ? (m + MR - 1) / MR : (n + NR - 1) / NR;
        int parts = Math.Min(threads, units);
        if (parts <= 1) { Blocked(m, n, k, a, b, c, cOffset, ldc, accumulate); return; }
        int per = (units + parts - 1) / parts;
        System.Threading.Tasks.Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, p =>
        {
            int unit = byRows ? MR : NR;
            int s = p * per * unit, e = Math.Min(byRows ? m : n, (p + 1) * per * unit);
            if (s >= e) return;
            if (byRows)
                Blocked(e - s, n, k, a with { Offset = a.Offset + s * a.RowStride }, b, c, cOffset + s * ldc, ldc, accumulate);
            else
                Blocked(m, e - s, k, a, b with { Offset = b.Offset + s * b.ColStride }, c, cOffset + s, ldc, accumulate);
        });
    }

    static void Blocked(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset, int ldc, bool accumulate)
    {
        int nr = NR;
        int needB = KC * ((Math.Min(NC, n) + nr - 1) / nr * nr);
        int needA = KC * ((Math.Min(MC, m) + MR - 1) / MR * MR);
        if (packB == null || packB.Length < needB) packB = new float[needB];
        if (packA == null || packA.Length < needA) packA = new float[needA];
        var pa = packA; var pb = packB;
        Span<float> tile = stackalloc float[MR * 32];

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool add = accumulate || pc > 0;
                PackB(b, pc, jc, kc, nc, nr, pb);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA(a, ic, pc, mc, kc, pa);
                    fixed (float* pA = pa, pB = pb, pC = c, pT = tile)
                    {
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nn = Math.Min(nr, nc - jr);
                            float* bp = pB + jr * kc;
                            for (int ir = 0; ir < mc; ir += MR)
                            {
                                int mm = Math.Min(MR, mc - ir);
                                float* ap = pA + ir * kc;
                                float* cp = pC + cOffset + (ic + ir) * ldc + jc + jr;
                                if (mm == MR && nn == nr)
                                {
                                    if (Use512) Kernel512(kc, ap, bp, cp, ldc, add); else Kernel256(kc, ap, bp, cp, ldc, add);
                                }
                                else
                                {
                                    // Edge tile: compute the full padded tile into a scratch buffer, copy the valid part.
                                    if (Use512) Kernel512(kc, ap, bp, pT, nr, false); else Kernel256(kc, ap, bp, pT, nr, false);
                                    for (int i = 0; i < mm; i++)
                                        for (int j = 0; j < nn; j++)
                                            cp[i * ldc + j] = add ? cp[i * ldc + j] + pT[i * nr + j] : pT[i * nr + j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs A[ic..ic+mc, pc..pc+kc] as MR-row panels, each stored k-major (MR values per k), zero-padded.</summary>
    static void PackA(Operand a, int ic, int pc, int mc, int kc, float[] dst)
    {
        var src = a.Data;
        for (int ir = 0; ir < mc; ir += MR)
        {
            int baseIdx = ir * kc;
            int mm = Math.Min(MR, mc - ir);
            for (int r = 0; r < MR; r++)
            {
                if (r >= mm) { for (int p = 0; p < kc; p++) dst[baseIdx + p * MR + r] = 0f; continue; }
                int s = a.Offset + (ic + ir + r) * a.RowStride + pc * a.ColStride;
                int cs = a.ColStride;
                for (int p = 0; p < kc; p++) dst[baseIdx + p * MR + r] = src[s + p * cs];
            }
        }
    }

    /// <summary>Packs B[pc..pc+kc, jc..jc+nc] as NR-column panels, each stored k-major (NR values per k), zero-padded.</summary>
    static void PackB(Operand b, int pc, int jc, int kc, int nc, int nr, float[] dst)
    {
        var src = b.Data;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int baseIdx = jr * kc;
            int nn = Math.Min(nr, nc - jr);
            if (b.ColStride == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    int s = b.Offset + (pc + p) * b.RowStride + jc + jr;
                    var d = dst.AsSpan(baseIdx + p * nr, nr);
                    src.AsSpan(s, nn).CopyTo(d);
                    if (nn < nr) d[nn..].Clear();
                }
            }
            else
            {
                for (int j = 0; j < nr; j++)
                {
                    if (j >= nn) { for (int p = 0; p < kc; p++) dst[baseIdx + p * nr + j] = 0f; continue; }
                    int s = b.Offset + pc * b.RowStride + (jc + jr + j) * b.ColStride;
                    int rs = b.RowStride;
                    for (int p = 0; p < kc; p++) dst[baseIdx + p * nr + j] = src[s + p * rs];
                }
            }
        }
    }

    static void Naive(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++)
                    s += a.Data[a.Offset + i * a.RowStride + p * a.ColStride] * b.Data[b.Offset + p * b.RowStride + j * b.ColStride];
                ref float dst = ref c[cOffset + i * ldc + j];
                dst = accumulate ? dst + s : s;
            }
    }
}
