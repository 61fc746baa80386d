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
}
