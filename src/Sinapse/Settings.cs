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
}
