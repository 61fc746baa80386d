using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

/// <summary>
/// The sizes of one 2-D convolution: batch N, channels C, input H×W, kernel KH×KW, stride, padding, dilation and the
/// output OH×OW they give (PyTorch's formula, floor rounding).
/// </summary>
internal readonly record struct ConvGeometry(int N, int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW)
{
    public int OH => (H + 2 * PH - DH * (KH - 1) - 1) / SH + 1;
    public int OW => (W + 2 * PW - DW * (KW - 1) - 1) / SW + 1;
    /// <summary>Output positions per sample.</summary>
    public int L => OH * OW;
    /// <summary>Rows of the column matrix: one per (channel, kernel row, kernel column).</summary>
    public int K => C * KH * KW;
}

/// <summary>
/// im2col and col2im: a convolution becomes one GEMM when every receptive field is laid out as a column. The column
/// matrix is (C·KH·KW, N·OH·OW): row (c, i, j) holds, for every sample and output position, the input value that
/// kernel tap (i, j) of channel c sees there (0 in the padding).
/// </summary>
internal static class Im2Col
{
    /// <summary>x (N, C, H, W) contiguous at xOff → cols (K, N·L) at colsOff.</summary>
    public static void Expand(in ConvGeometry g, float[] x, int xOff, float[] cols, int colsOff)
    {
        var geo = g;
        int rows = g.K;
        // Each row is independent: split rows across the team (the split depends on sizes only).
        ParallelLoop.For(rows, Math.Max(1, ParallelLoop.ElementwiseThreshold / Math.Max(1, g.N * g.L)), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++) ExpandRow(geo, r, 0, geo.N, x, xOff, cols.AsSpan(colsOff + r * geo.N * geo.L, geo.N * geo.L));
        }, align: 1);
    }

    /// <summary>Sample n's columns only: x (N, C, H, W) at xOff → cols (K, N·L) at colsOff, columns [n·L, (n+1)·L).</summary>
    public static void ExpandSample(in ConvGeometry g, int n, float[] x, int xOff, float[] cols, int colsOff)
    {
        for (int r = 0; r < g.K; r++) ExpandRow(g, r, n, n + 1, x, xOff, cols.AsSpan(colsOff + r * g.N * g.L + n * g.L, g.L));
    }

    /// <summary>Row r (channel, kernel row, kernel column) of the columns of samples [n0, n1), into dst.</summary>
    static void ExpandRow(in ConvGeometry g, int r, int n0, int n1, float[] x, int xOff, Span<float> dst)
    {
        int j = r % g.KW, i = r / g.KW % g.KH, c = r / (g.KW * g.KH);
        int oh = g.OH, ow = g.OW;
        for (int n = n0; n < n1; n++)
        {
            int plane = xOff + (n * g.C + c) * g.H * g.W;
            for (int y = 0; y < oh; y++)
            {
                var outRow = dst.Slice(((n - n0) * oh + y) * ow, ow);
                int iy = y * g.SH - g.PH + i * g.DH;
                if ((uint)iy >= (uint)g.H) { outRow.Clear(); continue; }
                int src = plane + iy * g.W;
                int ix0 = j * g.DW - g.PW; // input column of output column 0
                if (g.SW == 1)
                {
                    // Contiguous: zeros where the window hangs over the left or right edge, a copy in between.
                    int lo = Math.Clamp(-ix0, 0, ow), hi = Math.Clamp(g.W - ix0, lo, ow);
                    for (int t = 0; t < lo; t++) outRow[t] = 0f;
                    CopyShort(x.AsSpan(src + ix0 + lo, hi - lo), outRow[lo..hi]);
                    for (int t = hi; t < ow; t++) outRow[t] = 0f;
                }
                else
                {
                    for (int xo = 0; xo < ow; xo++)
                    {
                        int ix = ix0 + xo * g.SW;
                        outRow[xo] = (uint)ix < (uint)g.W ? x[src + ix] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Expand"/>: dx (N, C, H, W) at dxOff += the column values folded back onto the input.</summary>
    public static void Fold(in ConvGeometry g, float[] cols, int colsOff, float[] dx, int dxOff)
    {
        var geo = g;
        // One (sample, channel) plane per task: the planes are disjoint, so no two threads add to the same value.
        ParallelLoop.For(g.N * g.C, Math.Max(1, ParallelLoop.ElementwiseThreshold / Math.Max(1, g.KH * g.KW * g.L)), (p0, p1) =>
        {
            for (int p = p0; p < p1; p++) FoldPlane(geo, p, cols, colsOff + p / geo.C * geo.L, geo.N * geo.L, dx, dxOff);
        }, align: 1);
    }

    /// <summary>
    /// Sample n's part of <see cref="Fold"/>, from its own column matrix (K, L) at colsOff (row stride L):
    /// dx[n] += those columns folded back onto the input.
    /// </summary>
    public static void FoldSample(in ConvGeometry g, int n, float[] cols, int colsOff, float[] dx, int dxOff)
    {
        for (int c = 0; c < g.C; c++) FoldPlane(g, n * g.C + c, cols, colsOff, g.L, dx, dxOff);
    }

    /// <summary>Plane p = (n, c) of dx += its rows of a column matrix whose row r starts at sampleCols + r·ld.</summary>
    static void FoldPlane(in ConvGeometry g, int p, float[] cols, int sampleCols, int ld, float[] dx, int dxOff)
    {
        int c = p % g.C;
        int oh = g.OH, ow = g.OW;
        var plane = dx.AsSpan(dxOff + p * g.H * g.W, g.H * g.W);
        for (int i = 0; i < g.KH; i++)
            for (int j = 0; j < g.KW; j++)
            {
                int r = (c * g.KH + i) * g.KW + j;
                int rowOff = sampleCols + r * ld;
                int ix0 = j * g.DW - g.PW;
                for (int y = 0; y < oh; y++)
                {
                    int iy = y * g.SH - g.PH + i * g.DH;
                    if ((uint)iy >= (uint)g.H) continue;
                    var inRow = plane.Slice(iy * g.W, g.W);
                    var src = cols.AsSpan(rowOff + y * ow, ow);
                    if (g.SW == 1)
                    {
                        int lo = Math.Clamp(-ix0, 0, ow), hi = Math.Clamp(g.W - ix0, lo, ow);
                        AddShort(src[lo..hi], inRow.Slice(ix0 + lo, hi - lo));
                    }
                    else
                    {
                        for (int xo = 0; xo < ow; xo++)
                        {
                            int ix = ix0 + xo * g.SW;
                            if ((uint)ix < (uint)g.W) inRow[ix] += src[xo];
                        }
                    }
                }
            }
    }

    /// <summary>
    /// to = from for the short rows of small images (11–30 values): 8-wide moves, the last one overlapping the one
    /// before instead of a scalar tail. Plain loops beat a call to memmove per row; these beat plain loops.
    /// </summary>
    static void CopyShort(ReadOnlySpan<float> from, Span<float> to)
    {
        int n = from.Length;
        if (n < 8 || !Vector256.IsHardwareAccelerated)
        {
            for (int t = 0; t < n; t++) to[t] = from[t];
            return;
        }
        ref float f = ref MemoryMarshal.GetReference(from);
        ref float d = ref MemoryMarshal.GetReference(to);
        for (int t = 0; t < n - 8; t += 8) Vector256.LoadUnsafe(ref f, (nuint)t).StoreUnsafe(ref d, (nuint)t);
        Vector256.LoadUnsafe(ref f, (nuint)(n - 8)).StoreUnsafe(ref d, (nuint)(n - 8));
    }

    /// <summary>to += from over a short row: 8-wide adds, then a scalar tail (overlapping adds would count twice).</summary>
    static void AddShort(ReadOnlySpan<float> from, Span<float> to)
    {
        int n = Math.Min(from.Length, to.Length), t = 0;
        ref float f = ref MemoryMarshal.GetReference(from);
        ref float d = ref MemoryMarshal.GetReference(to);
        if (Vector256.IsHardwareAccelerated)
            for (; t <= n - 8; t += 8)
                (Vector256.LoadUnsafe(ref d, (nuint)t) + Vector256.LoadUnsafe(ref f, (nuint)t)).StoreUnsafe(ref d, (nuint)t);
        for (; t < n; t++) Unsafe.Add(ref d, t) += Unsafe.Add(ref f, t);
    }
}
