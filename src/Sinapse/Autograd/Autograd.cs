namespace Sinapse;

/// <summary>Global switches of automatic differentiation and the reverse-mode engine.</summary>
public static class Autograd
{
    [ThreadStatic] static int noGradDepth;

    /// <summary>True unless inside a <see cref="NoGrad"/> scope on this thread.</summary>
    public static bool IsEnabled => noGradDepth == 0;

    /// <summary>
    /// Turns off graph recording until the returned scope is disposed:
    /// <c>using (Autograd.NoGrad()) { … }</c>. Used for evaluation and parameter updates.
    /// </summary>
    public static IDisposable NoGrad() => new Scope();

    sealed class Scope : IDisposable
    {
        bool done;
        public Scope() => noGradDepth++;
        public void Dispose() { if (!done) { noGradDepth--; done = true; } }
    }

    /// <summary>
    /// Runs reverse-mode differentiation from <paramref name="root"/>, accumulating into <see cref="Tensor.Grad"/>
    /// of every leaf that requires gradients.
    /// </summary>
    internal static void Backward(Tensor root, Tensor? gradOutput)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward: the tensor does not require gradients (no input of its graph has RequiresGrad = true).");
        Tensor g;
        if (gradOutput == null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"Backward: an output of shape {ShapeUtil.Str(root.shape)} is not a scalar; pass the gradient of the output explicitly.");
            g = Tensor.Ones(root.shape);
        }
        else
        {
            ShapeUtil.CheckSame("Backward (gradient vs output)", root.shape, gradOutput.shape);
            g = gradOutput.NoGraph();
        }

        var order = TopologicalOrder(root);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = g };
        using var _ = NoGrad();
        // Every array the backward pass rents is an engine temporary: once the pass is over, only the leaves'
        // Grad tensors can still reference one, so all the others go back to the pool.
        var rented = new List<Storage>();
        var previous = BufferPool.BeginTracking(rented);
        try
        {
            Propagate(order, grads, LeafGradientReady is { } ready ? new LeafTracker(order, ready) : null);
        }
        finally
        {
            BufferPool.EndTracking(previous);
        }
        foreach (var t in order) if (t.GradFn == null && t.Grad != null) t.Grad.storage.Kept = true;
        foreach (var s in rented) s.Release();
        ReleaseGraph(order);
        int every = Settings.YoungCollectionInterval;
        if (every > 0 && ++backwardCount % every == 0) GC.Collect(0, GCCollectionMode.Forced, blocking: true);
    }

    [ThreadStatic] static int backwardCount;

    /// <summary>
    /// Gives back what the forward pass left only to the graph: the pooled arrays of the module calls it went through
    /// (see <see cref="CallArena"/>). The graph can then not be differentiated again, as in PyTorch without
    /// retain_graph; its nodes are marked so a second Backward says so.
    /// </summary>
    static void ReleaseGraph(List<Tensor> order)
    {
        CallArena? last = null;
        foreach (var t in order)
        {
            if (t.GradFn is not { } node) continue;
            if (node.Arena is { } a && a != last) { a.Release(); last = a; }
            node.Release();
        }
    }

    /// <summary>
    /// Attaches a backward function to <paramref name="output"/> when gradient mode is on and some input requires
    /// gradients, and returns <paramref name="output"/>: this is how every differentiable op, built in or not, is made.
    /// The forward computes <paramref name="output"/> (a new tensor, e.g. from <see cref="Tensor.Empty"/>) from the
    /// inputs' values; <paramref name="backward"/> maps the gradient of the output to one gradient per input (null
    /// where an input needs none), and what it reads — inputs, the output, intermediate values — is what is saved for
    /// it. Gradients may come back in a broadcast shape: the engine sums them down to each input's shape.
    /// </summary>
    /// <example>
    /// <code>
    /// // Swish: y = x·σ(x), dy/dx = σ + x·σ·(1 − σ)
    /// static Tensor Swish(Tensor x)
    /// {
    ///     Tensor s, y;
    ///     using (Autograd.NoGrad()) { s = x.Sigmoid(); y = x * s; }
    ///     return Autograd.Record(y, "Swish", [x], g => [g * (s + x * s * (1f - s))]);
    /// }
    /// </code>
    /// </example>
    public static Tensor Record(Tensor output, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!WillRecord(inputs)) return output;
        if (output.GradFn != null)
            throw new InvalidOperationException($"Autograd.Record({op}): the output already belongs to the graph (made by '{output.GradFn.Op}'); compute it under Autograd.NoGrad() or from the inputs' values.");
        output.GradFn = new Node(op, inputs, backward);
        output.RequiresGrad = true;
        return output;
    }

    /// <summary>
    /// Records <paramref name="side"/>, a second output of the op that made <paramref name="main"/> (an RNN's final
    /// state beside its output sequence), as a node whose backward hands its gradient to <paramref name="deposit"/> and
    /// passes <paramref name="noGradient"/> (a zero view) on to <paramref name="main"/>. The main op's backward runs
    /// after every node that reads <paramref name="main"/>, so by then the deposit is made; it recognises
    /// <paramref name="noGradient"/> by reference when the side output was the only one used.
    /// </summary>
    internal static Tensor RecordSideOutput(Tensor side, string op, Tensor main, Action<Tensor> deposit, Tensor noGradient)
    {
        if (main.GradFn == null) return side;
        side.GradFn = new Node(op, [main], g => { deposit(g); return [noGradient]; });
        side.RequiresGrad = true;
        return side;
    }

    /// <summary>
    /// Whether an op on <paramref name="inputs"/> records a node: gradient mode is on and some input requires
    /// gradients. An op can ask before it builds its backward closure (null inputs, e.g. a missing bias, are skipped).
    /// </summary>
    public static bool WillRecord(params ReadOnlySpan<Tensor?> inputs)
    {
        if (!IsEnabled) return false;
        foreach (var t in inputs) if (t is { RequiresGrad: true }) return true;
        return false;
    }

    /// <summary>
    /// When set (on this thread), called during backward with each leaf whose gradient is complete, as soon as the
    /// last node that reads it has run: data-parallel training starts averaging a bucket of gradients across
    /// processes while the rest of backward goes on.
    /// </summary>
    [ThreadStatic] internal static Action<Tensor>? LeafGradientReady;

    static void Accumulate(Tensor leaf, Tensor g)
    {
        if (leaf.Grad == null) leaf.Grad = leaf.NewLeafGrad(g);
        else if (!leaf.Grad.IsContiguous) leaf.Grad = leaf.Grad + g;
        else Tensor.AddInto(leaf.Grad, g);
    }

    /// <summary>Counts, for every leaf, the nodes still to run that read it, and reports the leaf when none is left.</summary>
    sealed class LeafTracker
    {
        readonly Dictionary<Tensor, int> pending = new(ReferenceEqualityComparer.Instance);
        readonly Action<Tensor> ready;

        public LeafTracker(List<Tensor> order, Action<Tensor> ready)
        {
            this.ready = ready;
            foreach (var t in order)
                if (t.GradFn is { } node)
                    foreach (var x in node.Inputs)
                        if (x.GradFn == null && x.RequiresGrad) pending[x] = pending.GetValueOrDefault(x) + 1;
        }

        /// <summary>After <paramref name="node"/>'s backward: a leaf it read that no other node still reads gets its gradient now and is reported.</summary>
        public void Ran(Node node, Dictionary<Tensor, Tensor> grads)
        {
            foreach (var x in node.Inputs)
            {
                if (x.GradFn != null || !x.RequiresGrad || --pending[x] != 0) continue;
                if (grads.Remove(x, out var g)) Accumulate(x, g);
                ready(x);
            }
        }
    }

    static void Propagate(List<Tensor> order, Dictionary<Tensor, Tensor> grads, LeafTracker? tracker)
    {
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var gt)) continue;
            if (t.GradFn == null)
            {
                Accumulate(t, gt);
                continue;
            }
            var node = t.GradFn;
            if (node.Released)
                throw new InvalidOperationException($"Backward: the graph through '{node.Op}' was already differentiated and its buffers were freed; run the forward pass again before calling Backward a second time.");
            var ins = node.Backward(gt);
            for (int k = 0; k < node.Inputs.Length; k++)
            {
                var x = node.Inputs[k];
                var gx = ins[k];
                if (gx == null || !x.RequiresGrad) continue;
                if (!gx.shape.AsSpan().SequenceEqual(x.shape)) gx = gx.SumTo(x.shape);
                grads[x] = grads.TryGetValue(x, out var prev) ? prev + gx : gx;
            }
            tracker?.Ran(node, grads);
        }
    }

    /// <summary>Nodes reachable from root, each after all of its inputs (iterative DFS; graphs can be deep).</summary>
    static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor t, int next)>();
        stack.Push((root, 0));
        seen.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn?.Inputs;
            if (inputs != null && next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var c = inputs[next];
                if (c.RequiresGrad && seen.Add(c)) stack.Push((c, 0));
                continue;
            }
            order.Add(t);
        }
        return order;
    }
}

public sealed partial class Tensor
{
    /// <summary>
    /// Back-propagates from this tensor: for a scalar the seed gradient is 1; otherwise pass
    /// <paramref name="gradient"/> with this tensor's shape. Gradients accumulate into <see cref="Grad"/> of leaves.
    /// </summary>
    public void Backward(Tensor? gradient = null) => Autograd.Backward(this, gradient);
}
