using System.Runtime.InteropServices;

namespace Sinapse;

/// <summary>
/// Pooled arrays that an autograd graph holds until Backward has read them: the hidden activations of a
/// <see cref="Layers.Sequential"/> and the buffers ops save for their backward (<see cref="Node.Own"/>). Backward
/// gives them back (<see cref="Repay"/>). A graph dropped without Backward (say, a forward pass for evaluation run
/// without <see cref="Autograd.NoGrad"/>) is collected by the GC; the loan knows its owner (the lease or node that
/// holds it) only through a weak handle, so <see cref="ReclaimDropped"/>, run after a collection, finds the loans whose
/// owner is gone and gives their arrays back.
/// </summary>
/// <remarks>
/// Without this, each dropped graph lost its arrays to the pool, and the pool allocated new ones on the pinned heap,
/// which only a gen-2 collection reclaims: a forward pass of W2's model with a graph, repeated without Backward,
/// started a gen-2 collection every 8 passes (624 in 5,000). The reclaiming runs on the thread that needs an array,
/// after the collection it starts: no finalizer is involved, so nothing waits on the finalizer thread (which could
/// deadlock on a lock the caller holds).
/// </remarks>
internal sealed class GraphLoan
{
    /// <summary>Loans not yet repaid, each at its <see cref="slot"/>.</summary>
    static readonly List<GraphLoan> outstanding = new();

    float[]? first;
    List<float[]>? more;
    GCHandle owner;
    int slot;

    /// <summary>Lends <paramref name="array"/> to the graph object <paramref name="holder"/> (a lease or a node).</summary>
    public GraphLoan(object holder, float[] array)
    {
        first = array;
        owner = GCHandle.Alloc(holder, GCHandleType.Weak);
        BufferPool.NoteLent(array.Length);
        lock (outstanding) { slot = outstanding.Count; outstanding.Add(this); }
    }

    /// <summary>Adds another array to the loan.</summary>
    public void Add(float[] array)
    {
        (more ??= new List<float[]>(1)).Add(array);
        BufferPool.NoteLent(array.Length);
    }

    /// <summary>Gives the arrays back now: Backward is done with them.</summary>
    public void Repay()
    {
        lock (outstanding) Close();
    }

    /// <summary>
    /// Gives back the arrays of every loan whose holder the GC has collected (a graph dropped without Backward). Call
    /// it after a collection; a holder promoted to an older generation is found after that generation's collection.
    /// </summary>
    public static void ReclaimDropped()
    {
        lock (outstanding)
            for (int i = outstanding.Count - 1; i >= 0; i--)
                if (outstanding[i].owner.Target == null) outstanding[i].Close();
    }

    /// <summary>Returns the arrays and leaves the list of outstanding loans (under its lock).</summary>
    void Close()
    {
        if (first == null) return;
        BufferPool.Repaid(first);
        if (more != null) foreach (var a in more) BufferPool.Repaid(a);
        first = null; more = null;
        owner.Free();
        var last = outstanding[^1];
        outstanding[slot] = last;
        last.slot = slot;
        outstanding.RemoveAt(outstanding.Count - 1);
    }
}
