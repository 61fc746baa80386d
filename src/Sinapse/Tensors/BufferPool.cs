using System.Collections.Concurrent;

namespace Sinapse;

/// <summary>
/// The pool behind tensor storage. Every tensor of at least <see cref="MinPooledLength"/> elements takes its array
/// from here (exact length, zeroed). Arrays come back only where their lifetime is known for certain: the autograd
/// engine returns the gradient temporaries it created once <see cref="Tensor.Backward"/> has finished, so in a
/// training loop the next forward and backward passes reuse them instead of allocating (large arrays would
/// otherwise land on the large-object heap and provoke gen-2 collections). Tensors the user may still hold are never
/// returned; they are collected by the GC as usual, so there is nothing to dispose.
/// </summary>
internal static class BufferPool
{
    /// <summary>Smaller arrays are cheap for the GC and are not pooled.</summary>
    public const int MinPooledLength = 1024;

    /// <summary>Upper bound on the floats held idle in the pool (256 MiB), so it cannot grow without limit.</summary>
    const long MaxPooledFloats = 64L << 20;

    static readonly ConcurrentDictionary<int, ConcurrentStack<float[]>> buckets = new();
    static long pooledFloats;

    /// <summary>Arrays handed out on this thread while a backward pass is tracking them (null when not tracking).</summary>
    [ThreadStatic] static List<float[]>? tracking;

    /// <summary>A zeroed array of exactly <paramref name="length"/> floats.</summary>
    public static float[] Rent(int length)
    {
        if (length < MinPooledLength) return new float[length];
        float[] a;
        if (buckets.TryGetValue(length, out var stack) && stack.TryPop(out var got))
        {
            Interlocked.Add(ref pooledFloats, -length);
            Array.Clear(got);
            a = got;
        }
        else a = new float[length];
        tracking?.Add(a);
        return a;
    }

    /// <summary>Gives an array back; the caller guarantees nothing references it any more.</summary>
    public static void Return(float[] a)
    {
        if (a.Length < MinPooledLength || Interlocked.Read(ref pooledFloats) + a.Length > MaxPooledFloats) return;
        Interlocked.Add(ref pooledFloats, a.Length);
        buckets.GetOrAdd(a.Length, _ => new ConcurrentStack<float[]>()).Push(a);
    }

    /// <summary>Starts recording the arrays rented on this thread; returns the previous recorder to restore.</summary>
    public static List<float[]>? BeginTracking(List<float[]> list)
    {
        var prev = tracking;
        tracking = list;
        return prev;
    }

    public static void EndTracking(List<float[]>? previous) => tracking = previous;
}
