namespace Sinapse.Kernels;

/// <summary>
/// Splits work across cores. The split depends only on the problem size and <see cref="Sinapse.Threading.Threads"/>,
/// never on timing, so results are bit-identical from run to run.
/// </summary>
internal static class Par
{
    /// <summary>Below this many elements an element-wise op runs on the calling thread.</summary>
    public const int ElementwiseThreshold = 1 << 15;

    /// <summary>Runs body(start, end) over [0, n) in up to Threads contiguous chunks, each a multiple of <paramref name="align"/>.</summary>
    public static void For(int n, int minPerChunk, Action<int, int> body, int align = 16)
    {
        int threads = Threading.Threads;
        int chunks = Math.Min(threads, Math.Max(1, n / Math.Max(minPerChunk, 1)));
        if (chunks <= 1) { body(0, n); return; }
        int per = (n + chunks - 1) / chunks;
        per = (per + align - 1) / align * align;
        chunks = (n + per - 1) / per;
        System.Threading.Tasks.Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int s = c * per, e = Math.Min(n, s + per);
            body(s, e);
        });
    }
}
