namespace Sinapse;

/// <summary>
/// The pool behind tensor storage. Arrays of at least <see cref="MinPooledLength"/> elements come from here when
/// their return is certain: inside a backward pass (the engine returns its temporaries), inside
/// <see cref="Recyclable"/> (hidden activations that <see cref="Layers.Sequential"/> returns), and for buffers an op
/// saves for its backward (<see cref="Node.Own"/>). Everything else — a model's output, a tensor the user keeps — gets
/// a fresh young array that the GC reclaims cheaply in gen 0, so nothing is lent out of the pool to be dropped.
/// </summary>
/// <remarks>
/// Pooled arrays live as long as training does, so they are allocated where the GC counts them as old from the start
/// (<see cref="LongLived"/>); the pool keeps only such arrays. A training loop therefore reuses the same arrays step
/// after step, and nothing young survives long enough to be promoted into gen 2. Nothing here needs disposing.
/// </remarks>
internal static class BufferPool
{
    /// <summary>Smaller arrays are cheap for the GC and are not pooled.</summary>
    public const int MinPooledLength = 1024;

    /// <summary>Upper bound on the floats held idle in the pool (256 MiB), so it cannot grow without limit.</summary>
    const long MaxPooledFloats = 64L << 20;

    /// <summary>Idle arrays by length. A plain Stack under a lock: pushing allocates nothing once it has grown.</summary>
    static readonly Dictionary<int, Stack<float[]>> buckets = new();
    static long pooledFloats;

    /// <summary>Depth of <see cref="Recyclable"/> scopes on this thread.</summary>
    [ThreadStatic] static int recyclableDepth;

    /// <summary>Leases created on this thread while a backward pass is tracking them (null when not tracking).</summary>
    [ThreadStatic] static List<PoolLease>? tracking;

    /// <summary>
    /// An array of exactly <paramref name="length"/> floats, zeroed unless <paramref name="zero"/> is false (for
    /// outputs the caller overwrites entirely). It comes from the pool when it will come back for certain: with
    /// <paramref name="returned"/>, in a backward pass or in a <see cref="Recyclable"/> scope; otherwise it is fresh.
    /// </summary>
    public static float[] Rent(int length, bool zero = true, bool returned = false)
    {
        if (length < MinPooledLength) return new float[length];
        if (!returned && recyclableDepth == 0 && tracking == null)
            return zero ? new float[length] : GC.AllocateUninitializedArray<float>(length);
        var a = TryTake(length);
        if (a == null && Volatile.Read(ref lentFloats) > reclaimAbove) a = Reclaim(length);
        if (a == null) a = LongLived(length, zero);
        else if (zero) Array.Clear(a);
        return a;
    }

    /// <summary>An idle pooled array of exactly <paramref name="length"/> floats, or null.</summary>
    static float[]? TryTake(int length)
    {
        lock (buckets)
        {
            if (!buckets.TryGetValue(length, out var stack) || !stack.TryPop(out var a)) return null;
            pooledFloats -= length;
            return a;
        }
    }

    /// <summary>Floats lent to autograd graphs (<see cref="GraphLoan"/>) and not yet given back.</summary>
    static long lentFloats;

    /// <summary>
    /// Above this many lent floats, a miss in the pool first looks for graphs dropped without Backward. Starts at
    /// <see cref="MinReclaimFloats"/> and follows what live graphs hold.
    /// </summary>
    static long reclaimAbove = MinReclaimFloats;

    /// <summary>16 MiB: a training step of the benchmark MLP lends 0.4 MB, so only dropped graphs reach it.</summary>
    internal const long MinReclaimFloats = 4L << 20;

    internal static void NoteLent(int length) => Interlocked.Add(ref lentFloats, length);

    /// <summary>Floats lent to graphs now (for tests and diagnostics).</summary>
    internal static long LentFloats => Volatile.Read(ref lentFloats);

    /// <summary>How many idle arrays of <paramref name="length"/> floats the pool holds (for tests and diagnostics).</summary>
    internal static int Idle(int length)
    {
        lock (buckets) return buckets.TryGetValue(length, out var stack) ? stack.Count : 0;
    }

    /// <summary>A lent array comes back, from Backward or from a dropped graph (<see cref="GraphLoan"/>).</summary>
    internal static void Repaid(float[] a)
    {
        Interlocked.Add(ref lentFloats, -a.Length);
        Return(a);
    }

    /// <summary>
    /// Collects the young generations, gives back the arrays of the graphs that were dropped without Backward
    /// (<see cref="GraphLoan.ReclaimDropped"/>), then tries the pool again. What is still lent belongs to live graphs:
    /// the next attempt waits until twice as much is lent.
    /// </summary>
    static float[]? Reclaim(int length)
    {
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        GraphLoan.ReclaimDropped();
        Volatile.Write(ref reclaimAbove, Math.Max(MinReclaimFloats, 2 * Volatile.Read(ref lentFloats)));
        return TryTake(length);
    }

    /// <summary>
    /// An array for state that lives as long as training does: pooled buffers, optimizer moments, parameters'
    /// gradients. It is allocated on the pinned object heap, which the GC counts as old from the start. A young array
    /// of megabytes that survives is instead copied twice on its way to gen 2 and, once there, exceeds gen 2's small
    /// initial budget: measured, one full collection in the first 200 W2 steps.
    /// </summary>
    public static float[] LongLived(int length, bool zero = true) =>
        zero ? GC.AllocateArray<float>(length, pinned: true) : GC.AllocateUninitializedArray<float>(length, pinned: true);

    /// <summary>
    /// Within the returned scope (when <paramref name="enter"/> is true), on this thread, tensors are created from the
    /// pool: for outputs the caller will give back (<see cref="PoolLease.Release"/>), like
    /// <see cref="Layers.Sequential"/>'s hidden activations. With false the scope changes nothing.
    /// </summary>
    public static RecyclableScope Recyclable(bool enter = true)
    {
        if (enter) recyclableDepth++;
        return new RecyclableScope(enter);
    }

    /// <summary>Ends a <see cref="Recyclable"/> scope.</summary>
    public readonly struct RecyclableScope(bool entered) : IDisposable
    {
        public void Dispose() { if (entered) recyclableDepth--; }
    }

    /// <summary>
    /// Gives an array back; the caller guarantees nothing references it any more. A young one (rented outside a
    /// recyclable context) is left to the GC, which reclaims it in gen 0: the pool keeps only long-lived arrays.
    /// </summary>
    public static void Return(float[] a)
    {
        if (a.Length < MinPooledLength || GC.GetGeneration(a) < GC.MaxGeneration) return;
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
