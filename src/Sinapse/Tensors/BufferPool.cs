namespace Sinapse;

/// <summary>
/// The pool behind tensor storage. An array of at least <see cref="MinPooledLength"/> floats comes from here when the
/// engine knows when it is read for the last time: a temporary of a backward pass (given back when the pass ends), or a
/// tensor made inside a top-level module call that the call does not return (given back when the call ends if no graph
/// was recorded, else when Backward has gone through the call's graph; see <see cref="CallArena"/>). Everything else
/// gets a fresh young array that the GC reclaims cheaply in gen 0.
/// </summary>
/// <remarks>
/// Pooled arrays live as long as training does, so they are allocated where the GC counts them as old from the start
/// (<see cref="LongLived"/>), and the pool keeps only such arrays: a training loop reuses the same arrays step after
/// step and nothing young survives long enough to be promoted into gen 2. Nothing here needs disposing.
/// </remarks>
internal static class BufferPool
{
    /// <summary>Smaller arrays are cheap for the GC and are not pooled.</summary>
    public const int MinPooledLength = 1024;

    /// <summary>
    /// Upper bound on the floats lent at once: an eighth of the memory the GC may use, between 128 MiB and 4 GiB.
    /// A convolutional network's step needs hundreds of MiB (a batch of 128 MNIST images through 32 and 64 channels:
    /// about 200 MiB); beyond the bound new arrays are young ones the GC reclaims, so graphs dropped without Backward
    /// cost gen-0 work instead of pinned memory, and nothing has to force a collection.
    /// </summary>
    static readonly long MaxLentFloats = Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8 / sizeof(float), 32L << 20, 1L << 30);

    /// <summary>Upper bound on the floats held idle in the pool: as many as may be lent, so a step's arrays all come back.</summary>
    static readonly long MaxPooledFloats = MaxLentFloats;

    /// <summary>Idle arrays by length. A plain Stack under a lock: pushing allocates nothing once it has grown.</summary>
    static readonly Dictionary<int, Stack<float[]>> buckets = new();
    static long pooledFloats;
    static long lentFloats;

    /// <summary>Storages rented on this thread while a backward pass tracks them (null when not tracking).</summary>
    [ThreadStatic] static List<Storage>? tracking;

    /// <summary>
    /// An array of exactly <paramref name="length"/> floats for <paramref name="owner"/>, zeroed unless
    /// <paramref name="zero"/> is false (for outputs the caller overwrites entirely). Pooled inside a backward pass or a
    /// module call, fresh otherwise.
    /// </summary>
    public static float[] Rent(int length, bool zero, Storage owner)
    {
        if (length < MinPooledLength) return new float[length];
        var arena = CallArena.Current;
        if ((tracking == null && arena == null) || !TryLend(length, zero, out var a))
            return zero ? new float[length] : GC.AllocateUninitializedArray<float>(length);
        owner.MarkPooled();
        if (tracking != null) tracking.Add(owner);
        else arena!.Add(owner);
        return a;
    }

    /// <summary>An array from the pool (or a new long-lived one) while fewer than <see cref="MaxLentFloats"/> are lent.</summary>
    static bool TryLend(int length, bool zero, out float[] a)
    {
        a = null!;
        if (Volatile.Read(ref lentFloats) + length > MaxLentFloats)
        {
            CallArena.ReclaimDropped();
            if (Volatile.Read(ref lentFloats) + length > MaxLentFloats) return false;
        }
        var idle = TryTake(length);
        if (idle == null) a = LongLived(length, zero);
        else { a = idle; if (zero) Array.Clear(a); }
        Interlocked.Add(ref lentFloats, length);
        return true;
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

    /// <summary>Floats lent now (for tests and diagnostics).</summary>
    internal static long LentFloats => Volatile.Read(ref lentFloats);

    /// <summary>How many idle arrays of <paramref name="length"/> floats the pool holds (for tests and diagnostics).</summary>
    internal static int Idle(int length)
    {
        lock (buckets) return buckets.TryGetValue(length, out var stack) ? stack.Count : 0;
    }

    /// <summary>
    /// An array for state that lives as long as training does: pooled buffers, parameters, optimizer moments,
    /// gradients. It is allocated on the pinned object heap, which the GC counts as old from the start; a young array
    /// of megabytes that survives is instead copied twice on its way to gen 2.
    /// </summary>
    public static float[] LongLived(int length, bool zero = true) =>
        zero ? GC.AllocateArray<float>(length, pinned: true) : GC.AllocateUninitializedArray<float>(length, pinned: true);

    /// <summary>Gives a lent array back; the caller guarantees nothing references it any more.</summary>
    public static void Return(float[] a)
    {
        Interlocked.Add(ref lentFloats, -a.Length);
        lock (buckets)
        {
            if (pooledFloats + a.Length > MaxPooledFloats) return;
            pooledFloats += a.Length;
            if (!buckets.TryGetValue(a.Length, out var stack)) buckets[a.Length] = stack = new Stack<float[]>();
            stack.Push(a);
        }
    }

    /// <summary>A lent array that its tensors keep: it leaves the books and is the GC's to reclaim.</summary>
    public static void Forget(float[] a) => Interlocked.Add(ref lentFloats, -a.Length);

    /// <summary>Starts recording the storages rented on this thread; returns the previous recorder to restore.</summary>
    public static List<Storage>? BeginTracking(List<Storage> list)
    {
        var prev = tracking;
        tracking = list;
        return prev;
    }

    public static void EndTracking(List<Storage>? previous) => tracking = previous;
}
