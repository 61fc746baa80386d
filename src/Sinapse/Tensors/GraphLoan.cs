namespace Sinapse;

/// <summary>
/// Pooled arrays that an autograd graph holds until Backward has read them: the hidden activations of a
/// <see cref="Layers.Sequential"/> and the buffers ops save for their backward (<see cref="Node.Own"/>). Backward
/// gives them back (<see cref="Repay"/>). A graph dropped without Backward (say, a forward pass for evaluation run
/// without <see cref="Autograd.NoGrad"/>) is collected together with its loans, whose finalizers then give the arrays
/// back to the pool.
/// </summary>
/// <remarks>
/// Without this, each dropped graph lost its arrays to the pool, and the pool allocated new ones on the pinned heap,
/// which only a gen-2 collection reclaims: a forward pass of W2's model with a graph, repeated without Backward,
/// started a gen-2 collection every 8 passes (624 in 5,000). Only graphs that are dropped pay for finalization:
/// <see cref="Repay"/> suppresses it.
/// </remarks>
internal sealed class GraphLoan
{
    float[]? first;
    List<float[]>? more;

    public GraphLoan(float[] array)
    {
        first = array;
        BufferPool.NoteLent(array.Length);
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
        GiveBack();
        GC.SuppressFinalize(this);
    }

    /// <summary>The graph was dropped without Backward: nothing can read the arrays any more.</summary>
    ~GraphLoan() => GiveBack();

    void GiveBack()
    {
        if (Interlocked.Exchange(ref first, null) is { } a) BufferPool.Repaid(a);
        if (Interlocked.Exchange(ref more, null) is { } rest) foreach (var r in rest) BufferPool.Repaid(r);
    }
}
