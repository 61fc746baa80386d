namespace Sinapse;

/// <summary>How many cores Sinapse kernels use.</summary>
public static class Threading
{
    static int threads = Environment.ProcessorCount;

    /// <summary>Number of worker threads for large kernels (default: all logical cores). Set to 1 for single-threaded runs.</summary>
    public static int Threads
    {
        get => threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "Threads must be at least 1.");
            threads = value;
        }
    }
}
