namespace Sinapse;

/// <summary>Process-wide settings of the engine.</summary>
public static class Settings
{
    static int threads = Environment.ProcessorCount;

    /// <summary>
    /// Number of threads for large kernels (default: all logical cores). Set to 1 for single-threaded runs. Results are
    /// bit-identical whatever the count: work is split by size, never by timing.
    /// </summary>
    public static int Threads
    {
        get => threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "Threads must be at least 1.");
            threads = value;
        }
    }

    static int youngCollectionInterval;

    /// <summary>
    /// Off (0) by default. When set to N &gt; 0, every N-th backward pass ends with a collection of the GC's youngest
    /// generation. A training step leaves only small dead objects behind (graph nodes, tensor headers: about 14 KB for
    /// a 3-layer MLP); left alone, the GC lets gen 0 grow to its budget before collecting, and a long run's resident
    /// set grows by that much. Collecting when nearly everything young is dead costs well under a millisecond and keeps
    /// the resident set flat (bench/ MEM measures both).
    /// </summary>
    public static int YoungCollectionInterval
    {
        get => youngCollectionInterval;
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "YoungCollectionInterval must be 0 (off) or positive.");
            youngCollectionInterval = value;
        }
    }

    static int batchBlocks = 1;

    /// <summary>
    /// 1 by default. When set to N &gt; 1, the gradients a batch sums over its samples (a Linear layer's weight and bias
    /// gradients) are summed in N contiguous blocks of the batch, each from zero, and the block sums then added in
    /// order. A data-parallel run over N processes forms the same block sums, one per process (each takes its
    /// contiguous block of every batch), and adds them by all-reduce: a one-process run with BatchBlocks = 2 gives a
    /// two-process run's weights bit for bit, where one pass over the batch rounds differently (by about 1e-4 after
    /// an epoch of Adam). Leave it at 1 in each process of a data-parallel run.
    /// </summary>
    public static int BatchBlocks
    {
        get => batchBlocks;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "BatchBlocks must be at least 1.");
            batchBlocks = value;
        }
    }
}
