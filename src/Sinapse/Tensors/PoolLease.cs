namespace Sinapse;

/// <summary>
/// The claim of a set of tensors (one tensor and all its views) on one pooled array. When the last of those
/// tensors becomes unreachable, the GC finalizes the lease and the array goes back to <see cref="BufferPool"/>
/// instead of being freed, so a loop that drops its results (inference, <c>MatMul</c> in a benchmark, batches of a
/// data loader) reuses warm memory rather than allocating large-object-heap arrays. Code that knows an array is no
/// longer read (the autograd engine, <see cref="Layers.Sequential"/>) releases it at once with <see cref="Release"/>.
/// </summary>
internal sealed class PoolLease
{
    public readonly float[] Array;
    int released;

    PoolLease(float[] array) => Array = array;

    /// <summary>A lease for a freshly rented array (null for arrays too small to pool).</summary>
    public static PoolLease? For(float[] array)
    {
        if (array.Length < BufferPool.MinPooledLength) return null;
        var lease = new PoolLease(array);
        BufferPool.Track(lease);
        return lease;
    }

    /// <summary>Returns the array now; the caller guarantees no tensor sharing it will be read again.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref released, 1) != 0) return;
        GC.SuppressFinalize(this);
        BufferPool.Return(Array);
    }

    ~PoolLease()
    {
        if (Interlocked.Exchange(ref released, 1) == 0) BufferPool.Return(Array);
    }
}
