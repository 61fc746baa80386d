namespace Sinapse;

/// <summary>
/// Loops over strided (non-contiguous or broadcast) operands. Dimensions that are laid out contiguously for
/// every operand are merged first, so the innermost loop is as long as possible and usually a SIMD span loop.
/// </summary>
internal static class Strided
{
    /// <summary>Merges adjacent dimensions that are contiguous with respect to each other in every stride set.</summary>
    public static (int[] shape, int[][] strides) Coalesce(int[] shape, params int[][] strides)
    {
        var sh = new List<int>();
        var st = strides.Select(_ => new List<int>()).ToArray();
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            if (sh.Count > 0)
            {
                int last = sh.Count - 1;
                bool merge = true;
                for (int k = 0; k < strides.Length; k++)
                    if (st[k][last] != strides[k][d] * shape[d]) { merge = false; break; }
                if (merge)
                {
                    sh[last] *= shape[d];
                    for (int k = 0; k < strides.Length; k++) st[k][last] = strides[k][d];
                    continue;
                }
            }
            sh.Add(shape[d]);
            for (int k = 0; k < strides.Length; k++) st[k].Add(strides[k][d]);
        }
        if (sh.Count == 0) { sh.Add(1); foreach (var l in st) l.Add(1); }
        return (sh.ToArray(), st.Select(l => l.ToArray()).ToArray());
    }

    /// <summary>
    /// Calls <paramref name="row"/>(outerIndex, offsets) for every innermost row of a coalesced iteration space;
    /// offsets[k] is the start of operand k's row. Rows are visited in row-major order.
    /// </summary>
    public static void ForEachRow(int[] shape, int[][] strides, int[] baseOffsets, Action<int, int[]> row)
    {
        int rank = shape.Length;
        int rows = 1;
        for (int d = 0; d < rank - 1; d++) rows *= shape[d];
        var idx = new int[Math.Max(rank - 1, 0)];
        var offs = (int[])baseOffsets.Clone();
        for (int r = 0; r < rows; r++)
        {
            row(r, offs);
            for (int d = rank - 2; d >= 0; d--)
            {
                idx[d]++;
                for (int k = 0; k < offs.Length; k++) offs[k] += strides[k][d];
                if (idx[d] < shape[d]) break;
                for (int k = 0; k < offs.Length; k++) offs[k] -= strides[k][d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /// <summary>Row-major gather of a strided tensor into a contiguous span.</summary>
    public static void Copy(Tensor t, Span<float> dst)
    {
        if (t.Numel == 0) return;
        var (shape, st) = Coalesce(t.shape, t.strides);
        var src = t.data;
        int n = shape[^1], s = st[0][^1];
        int p = 0;
        var d = dst;
        int rank = shape.Length;
        int rows = t.Numel / n;
        var idx = new int[Math.Max(rank - 1, 0)];
        int off = t.offset;
        for (int r = 0; r < rows; r++)
        {
            if (s == 1) src.AsSpan(off, n).CopyTo(d.Slice(p, n));
            else for (int i = 0; i < n; i++) d[p + i] = src[off + i * s];
            p += n;
            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k]++; off += st[0][k];
                if (idx[k] < shape[k]) break;
                off -= st[0][k] * shape[k]; idx[k] = 0;
            }
        }
    }

    /// <summary>Row-major scatter of contiguous values into a strided tensor.</summary>
    public static void Scatter(ReadOnlySpan<float> src, Tensor t)
    {
        if (t.Numel == 0) return;
        var (shape, st) = Coalesce(t.shape, t.strides);
        int n = shape[^1], s = st[0][^1], rank = shape.Length, rows = t.Numel / n;
        var idx = new int[Math.Max(rank - 1, 0)];
        int off = t.offset, p = 0;
        var dst = t.data;
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < n; i++) dst[off + i * s] = src[p + i];
            p += n;
            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k]++; off += st[0][k];
                if (idx[k] < shape[k]) break;
                off -= st[0][k] * shape[k]; idx[k] = 0;
            }
        }
    }
}
