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
            if (root.Size != 1)
                throw new InvalidOperationException($"Backward: an output of shape {ShapeUtil.Str(root.shape)} is not a scalar; pass the gradient of the output explicitly.");
            g = Tensor.Ones(root.shape);
        }
        else
        {
            ShapeUtil.CheckSame("Backward (gradient vs output)", root.shape, gradOutput.shape);
            g = gradOutput.Detach();
        }

        var order = TopologicalOrder(root);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = g };
        using var _ = NoGrad();
        // Every array the backward pass rents is an engine temporary: once the pass is over, only the leaves'
        // Grad tensors can still reference one, so all the others go back to the pool.
        var rented = new List<PoolLease>();
        var previous = BufferPool.BeginTracking(rented);
        try
        {
            Propagate(order, grads);
        }
        finally
        {
            BufferPool.EndTracking(previous);
        }
        var kept = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (var t in order) if (t.GradFn == null && t.Grad != null) kept.Add(t.Grad.data);
        foreach (var l in rented) if (!kept.Contains(l.Array)) l.Release();
        ReleaseGraph(order, kept);
        CollectYoungGraphs();
    }

    [ThreadStatic] static int backwardCount;

    /// <summary>
    /// Each training step leaves ~10 KB of dead graph objects (nodes, closures, tensor headers). Left alone, the GC
    /// lets gen 0 grow to a budget of tens of MB before collecting, and the process's resident set climbs by that
    /// much over the first thousands of steps. A gen-0 collection every 64 backward passes (when nearly everything
    /// in gen 0 is dead, so it costs well under a millisecond) keeps gen 0 within a few hundred KB, cache-resident,
    /// and the resident set flat.
    /// </summary>
    static void CollectYoungGraphs()
    {
        if (++backwardCount % 64 == 0) GC.Collect(0, GCCollectionMode.Forced, blocking: true);
    }

    /// <summary>
    /// Gives back what the forward pass left only to the graph: hidden activations marked
    /// <see cref="Tensor.GraphOwned"/> and buffers saved by ops (<see cref="Node.Owned"/>). Their graph can then not be
    /// differentiated again, as in PyTorch without retain_graph; its nodes are marked so a second Backward says so.
    /// </summary>
    static void ReleaseGraph(List<Tensor> order, HashSet<float[]> kept)
    {
        var free = new HashSet<PoolLease>(ReferenceEqualityComparer.Instance);
        bool any = false;
        foreach (var t in order)
        {
            if (t.GradFn == null) { kept.Add(t.data); continue; }
            if (t.GraphOwned && t.lease != null) free.Add(t.lease);
            if (t.GradFn.Owned is { } owned) { owned.Repay(); t.GradFn.Owned = null; any = true; }
        }
        if (free.Count == 0 && !any) return;
        foreach (var t in order) if (t.GradFn != null && !t.GraphOwned) kept.Add(t.data);
        foreach (var l in free) if (!kept.Contains(l.Array)) l.Release();
        foreach (var t in order) t.GradFn?.Release();
    }

    static void Propagate(List<Tensor> order, Dictionary<Tensor, Tensor> grads)
    {
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var gt)) continue;
            if (t.GradFn == null)
            {
                if (t.Grad == null) t.Grad = t.NewLeafGrad(gt);
                else if (!t.Grad.IsContiguous) t.Grad = t.Grad + gt;
                else Tensor.AddInto(t.Grad, gt);
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
