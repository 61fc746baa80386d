namespace Sinapse;

/// <summary>
/// One recorded operation of the define-by-run graph: its inputs and the function that maps the gradient of
/// its output to the gradients of its inputs (null where an input needs none). Made by <see cref="Autograd.Record"/>.
/// </summary>
internal sealed class Node
{
    public readonly string Op;
    public Tensor[] Inputs { get; private set; }
    public Func<Tensor, Tensor?[]> Backward { get; private set; }

    /// <summary>The top-level module call that recorded this node (whose pooled arrays its backward may read), or null.</summary>
    public readonly CallArena? Arena;

    /// <summary>True once a Backward through this node has run: it cannot run again.</summary>
    public bool Released => Backward == spent || Arena is { Released: true };

    /// <summary>
    /// Marks the node as spent and lets go of its inputs and its backward closure (with what it captured). A caller
    /// that keeps the output (a loss it logs, the logits) then keeps one node alive, not the whole step's graph.
    /// </summary>
    public void Release()
    {
        Inputs = [];
        Backward = spent;
    }

    static readonly Func<Tensor, Tensor?[]> spent = _ => throw new InvalidOperationException("Backward: this node was already differentiated.");

    public Node(string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        Op = op; Inputs = inputs; Backward = backward;
        Arena = CallArena.Current;
        Arena?.NoteNode();
    }
}
