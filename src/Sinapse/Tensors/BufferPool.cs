namespace Sinapse;

/// <summary>
/// The pool behind tensor storage. Every tensor of at least <see cref="MinPooledLength"/> elements takes its array
/// from here (exact length; zeroed unless the op overwrites it all). Arrays come back only where their lifetime is
/// known for certain, through <see cref="PoolLease.Release"/>: the autograd engine returns the temporaries of a
/// backward pass and the graph's hidden activations once <see cref="Tensor.Backward"/> has finished, and
/// <see cref="Layers.Sequential"/> returns hidden activations at once when no graph is recorded. A training loop
/// therefore reuses the same arrays step after step. Tensors the user may still hold are never returned; they are
/// collected by the GC as usual, so there is nothing to dispose.
/// </summary>
internal static class BufferPool
{
    /// <summary>Smaller arrays are cheap for the GC and are not pooled.</summary>
    public const int MinPooledLength = 1024;

    /// <summary>Upper bound on the floats held idle in the pool (256 MiB), so it cannot grow without limit.</summary>
    const long MaxPooledFloats = 64L << 20;

    /// <summary>Idle arrays by length. A plain Stack under a lock: pushing allocates nothing once it has grown.</summary>
    static readonly Dictionary<int, Stack<float[]>> buckets = new();
    static long pooledFloats;

    /// <summary>Leases created on this thread while a backward pass is tracking them (null when not tracking).</summary>
    [ThreadStatic] static List<PoolLease>? tracking;

    /// <summary>An array of exactly <paramref name="length"/> floats, zeroed unless <paramref name="zero"/> is false
    /// (for outputs the caller overwrites entirely).</summary>
    public static float[] Rent(int length, bool zero = true)
    {
        if (length < MinPooledLength) return new float[length];
        float[]? a = null;
        lock (buckets)
        {
            if (buckets.TryGetValue(length, out var stack) && stack.TryPop(out a)) pooledFloats -= length;
        }
        if (a == null) a = zero ? new float[length] : GC.AllocateUninitializedArray<float>(length);
        else if (zero) Array.Clear(a);
        return a;
    }

    /// <summary>Gives an array back; the caller guarantees nothing references it any more.</summary>
    public static void Return(float[] a)
    {
        if (a.Length < MinPooledLength) return;
        lock (buckets)
        {
            if (pooledFloats + a.Length > MaxPooledFloats) return;
            pooledFloats += a.Length;
            if (!buckets.TryGetValue(a.Length, out var stack)) buckets[a.Length] = stack = new Stack<float[]>();
            stack.Push(a);
        }
    }

    /// <summary>Starts recording the leases created on this thread; returns the previous recorder to restore.</summary>
    public static List<PoolLease>? BeginTracking(List<PoolLease> list)
    {
        var prev = tracking;
        tracking = list;
        return prev;
    }

    public static void EndTracking(List<PoolLease>? previous) => tracking = previous;

    internal static void Track(PoolLease lease) => tracking?.Add(lease);
}
