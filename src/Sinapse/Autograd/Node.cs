namespace Sinapse;

/// <summary>
/// One recorded operation of the define-by-run graph: its inputs and the function that maps the gradient of
/// its output to the gradients of its inputs (null where an input needs none).
/// </summary>
internal sealed class Node
{
    public readonly string Op;
    public Tensor[] Inputs { get; private set; }
    public Func<Tensor, Tensor?[]> Backward { get; private set; }

    /// <summary>Buffers only this node's backward reads (saved for it by the forward op); pooled after Backward.</summary>
    public GraphLoan? Owned;

    /// <summary>True once a Backward through this node has recycled the graph's buffers: it cannot run again.</summary>
    public bool Released { get; private set; }

    /// <summary>
    /// Marks the node as spent and lets go of its inputs and its backward closure (with what it captured). A caller
    /// that keeps the output (a loss it logs, the logits) then keeps one node alive, not the whole step's graph, so
    /// the graph dies young: the periodic gen-0 collection at the end of Backward otherwise promoted it whole, and
    /// over thousands of steps those dead graphs filled gen 2's budget (measured: one gen-2 collection in MEM).
    /// </summary>
    public void Release()
    {
        Released = true;
        Inputs = [];
        Backward = spent;
    }

    static readonly Func<Tensor, Tensor?[]> spent = _ => throw new InvalidOperationException("Backward: this node was already differentiated.");

    /// <summary>Hands a scratch buffer to the node of <paramref name="output"/>, or straight back to the pool when no graph was recorded.</summary>
    public static void Own(Tensor output, float[] buffer)
    {
        if (output.GradFn is not { } n) BufferPool.Return(buffer);
        else if (n.Owned == null) n.Owned = new GraphLoan(n, buffer);
        else n.Owned.Add(buffer);
    }

    Node(string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        Op = op; Inputs = inputs; Backward = backward;
    }

    /// <summary>
    /// Whether an op on <paramref name="inputs"/> records a node: gradient mode is on and some input requires
    /// gradients. An op can ask before it builds its backward closure (null inputs, e.g. a missing bias, are skipped).
    /// </summary>
    public static bool WillRecord(params ReadOnlySpan<Tensor?> inputs)
    {
        if (!Autograd.IsEnabled) return false;
        foreach (var t in inputs) if (t is { RequiresGrad: true }) return true;
        return false;
    }

    /// <summary>
    /// Attaches a backward function to <paramref name="output"/> when gradient mode is on and some input requires
    /// gradients; returns <paramref name="output"/>. Gradients returned by <paramref name="backward"/> may have a
    /// broadcast shape: the engine sums them down to each input's shape.
    /// </summary>
    public static Tensor Record(Tensor output, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!WillRecord(inputs)) return output;
        output.GradFn = new Node(op, inputs, backward);
        output.RequiresGrad = true;
        return output;
    }
}
