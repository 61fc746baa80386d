namespace Sinapse.Layers;

/// <summary>Runs its layers in order, feeding each one's output to the next. Layers are named "0", "1", ….</summary>
public sealed partial class Sequential : Module
{
    readonly List<Module> layers = new();

    public Sequential(params Module[] modules) { foreach (var m in modules) Add(m); }

    /// <summary>Appends a layer; returns this.</summary>
    public Sequential Add(Module m)
    {
        RegisterModule(layers.Count.ToString(), m);
        layers.Add(m);
        chain = null;
        return this;
    }

    public int Count => layers.Count;
    public Module this[int i] => layers[i];
    public IReadOnlyList<Module> Layers => layers;

    /// <summary>True when every layer is (a nested Sequential of layers that are all such).</summary>
    protected internal override bool KeepsNoActivations => layers.TrueForAll(l => l.KeepsNoActivations);

    public override Tensor Forward(Tensor input)
    {
        // A hidden activation made by one layer and read by the next, both keeping no reference to it, is reachable
        // only from here and from the graph: without a graph its buffer goes back to the pool as soon as the next
        // layer is done with it; with one, when Backward has used it. Views (same storage) are never recycled.
        if (TryForwardChain(input, out var chained)) return chained;
        var x = input;
        bool xHidden = false;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            // Linear followed by ReLU runs as one op: the ReLU is applied as the GEMM stores its result.
            bool fuse = layer is Linear && i + 1 < layers.Count && layers[i + 1] is ReLU;
            int next = fuse ? i + 2 : i + 1;
            // The output is handed back once the next layer is done with it when neither layer keeps a reference to
            // it: then it is taken from the pool.
            bool recycled = layer.KeepsNoActivations && next < layers.Count && layers[next].KeepsNoActivations;
            Tensor y;
            using (BufferPool.Recyclable(recycled))
                y = fuse ? ((Linear)layer).ForwardRelu(x) : layer.Forward(x);
            if (fuse) i++;
            bool fresh = !ReferenceEquals(y.data, x.data) && !ReferenceEquals(y.data, input.data);
            if (xHidden && fresh)
            {
                if (x.GradFn != null) { x.GraphOwned = true; x.lease?.LendToGraph(); }
                else if (!x.RequiresGrad) x.lease?.Release();
            }
            xHidden = fresh && recycled;
            x = y;
        }
        return x;
    }

    protected internal override Tensor Trace(Tensor input, List<(string Layer, string Shape, long Params)> rows, string name)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++) x = layers[i].Trace(x, rows, name.Length > 0 ? $"{name}.{i}" : i.ToString());
        return x;
    }
}
