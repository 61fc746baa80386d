namespace Sinapse;

/// <summary>
/// The claim of a set of tensors (one tensor and all its views) on one pooled array. Code that knows the array will
/// not be read again (the autograd engine for its temporaries and the graph's hidden activations,
/// <see cref="Layers.Sequential"/> between layers) calls <see cref="Release"/>, which returns it to
/// <see cref="BufferPool"/> exactly once. A tensor the caller drops without that is simply garbage-collected.
/// </summary>
/// <remarks>
/// Measured and rejected: a finalizer returning dropped arrays to the pool. On two cores the finalizer thread and the
/// promotions it causes cost more than the allocations it saved (W1 at n = 256 on 2 threads fell from ≈ 120 to
/// ≈ 30 GFLOP/s), and finalizable leases drifted into gen 2. An array lent to an autograd graph is instead tracked by
/// a <see cref="GraphLoan"/> through a weak handle: Backward repays it, and a graph dropped without Backward is found
/// after the collection the pool starts when it runs short.
/// </remarks>
internal sealed class PoolLease
{
    /// <summary>The leased array (set once, by <see cref="Attach"/>).</summary>
    public float[] Array { get; private set; } = null!;
    int released;
    GraphLoan? loan;

    /// <summary>
    /// A lease made before its array of <paramref name="length"/> floats is rented (null for lengths too small to pool),
    /// so that the array can be the last allocation of a new tensor; <see cref="Attach"/> completes it.
    /// </summary>
    public static PoolLease? Reserve(int length) => length < BufferPool.MinPooledLength ? null : new PoolLease();

    /// <summary>Gives this lease its array; returns the lease.</summary>
    public PoolLease Attach(float[] array)
    {
        Array = array;
        BufferPool.Track(this);
        return this;
    }

    /// <summary>
    /// The array now belongs to an autograd graph: <see cref="Release"/> after Backward gives it back, and so does the
    /// pool, after a collection, if the graph is dropped without one (see <see cref="GraphLoan"/>).
    /// </summary>
    public void LendToGraph()
    {
        if (loan == null && Volatile.Read(ref released) == 0) loan = new GraphLoan(this, Array);
    }

    /// <summary>Returns the array now; the caller guarantees no tensor sharing it will be read again.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref released, 1) != 0) return;
        if (loan != null) loan.Repay();
        else BufferPool.Return(Array);
    }
}
