namespace Sinapse;

/// <summary>
/// One recorded operation of the define-by-run graph: its inputs and the function that maps the gradient of
/// its output to the gradients of its inputs (null where an input needs none).
/// </summary>
internal sealed class Node
{
    public readonly string Op;
    public readonly Tensor[] Inputs;
    public readonly Func<Tensor, Tensor?[]> Backward;

    Node(string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        Op = op; Inputs = inputs; Backward = backward;
    }

    /// <summary>
    /// Attaches a backward function to <paramref name="output"/> when gradient mode is on and some input requires
    /// gradients; returns <paramref name="output"/>. Gradients returned by <paramref name="backward"/> may have a
    /// broadcast shape: the engine sums them down to each input's shape.
    /// </summary>
    public static Tensor Record(Tensor output, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!Autograd.IsEnabled) return output;
        bool any = false;
        foreach (var t in inputs) if (t.RequiresGrad) { any = true; break; }
        if (!any) return output;
        output.GradFn = new Node(op, inputs, backward);
        output.RequiresGrad = true;
        return output;
    }
}
