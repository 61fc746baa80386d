namespace Sinapse;

/// <summary>
/// What a tensor and all its views share: the array, a version counter bumped by every in-place write, and the
/// claim on the array when it came from <see cref="BufferPool"/>.
/// </summary>
/// <remarks>
/// The version is shared because a write through any view changes what every view reads; a cache derived from a
/// tensor's values (a packed weight) remembers the version it was made at and is rebuilt when it differs.
/// </remarks>
internal sealed class Storage
{
    /// <summary>The array (set once when the storage is made, unless <see cref="MoveTo"/> replaces it).</summary>
    public float[] Array = null!;

    /// <summary>Bumped by every in-place write into <see cref="Array"/>.</summary>
    public int Version;

    /// <summary>
    /// Set when the array may be read beyond what the engine can see: it was returned from a top-level module call,
    /// detached by the user, or registered as a parameter or buffer. A kept array never goes back to the pool.
    /// </summary>
    public bool Kept;

    /// <summary>True while the array is lent from the pool (and not yet given back).</summary>
    bool pooled;

    /// <summary>Storage for a user's array: never pooled.</summary>
    public Storage(float[] array) => Array = array;

    Storage() { }

    /// <summary>
    /// A storage whose array of <paramref name="length"/> floats is rented after this object is made, so that the
    /// array is the last allocation of a new tensor (a gen-0 collection started by the small allocations then never
    /// finds a fresh, still unwritten array alive and copies it into gen 1).
    /// </summary>
    public static Storage Rent(int length, bool zero)
    {
        var s = new Storage();
        s.Array = BufferPool.Rent(length, zero, s);
        return s;
    }

    /// <summary>Called by the pool when it lends the array to the engine (a call's arena or a backward pass).</summary>
    public void MarkPooled() => pooled = true;

    /// <summary>True while the array is lent from the pool.</summary>
    public bool IsPooled => pooled;

    /// <summary>
    /// Gives a pooled array back; the caller guarantees nothing else will read it. A kept array stays with its tensors
    /// and leaves the pool's books (the GC reclaims it with them).
    /// </summary>
    public void Release()
    {
        if (!pooled) return;
        pooled = false;
        if (Kept) BufferPool.Forget(Array);
        else BufferPool.Return(Array);
    }

    /// <summary>A pooled array that no tensor's storage owns any more, to be given back with an arena.</summary>
    public static Storage Leftover(float[] array) => new() { Array = array, pooled = true };

    /// <summary>Takes <paramref name="array"/> (a young copy of the values) as the array; the pooled one is the caller's to give back.</summary>
    public void Unpool(float[] array)
    {
        Array = array;
        pooled = false;
    }

    /// <summary>Replaces the array by <paramref name="array"/> holding the same values (used to move parameters to long-lived storage).</summary>
    public void MoveTo(float[] array)
    {
        Array = array;
        pooled = false;
        Kept = true;
        Version++;
    }
}
