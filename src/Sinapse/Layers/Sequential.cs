namespace Sinapse.Layers;

/// <summary>Runs its layers in order, feeding each one's output to the next. Layers are named "0", "1", ….</summary>
public sealed class Sequential : Module
{
    readonly List<Module> layers = new();

    public Sequential(params Module[] modules) { foreach (var m in modules) Add(m); }

    /// <summary>Appends a layer; returns this.</summary>
    public Sequential Add(Module m)
    {
        RegisterModule(layers.Count.ToString(), m);
        layers.Add(m);
        return this;
    }

    public int Count => layers.Count;
    public Module this[int i] => layers[i];
    public IReadOnlyList<Module> Layers => layers;

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var l in layers) x = l.Forward(x);
        return x;
    }

    protected internal override Tensor Trace(Tensor input, List<(string Layer, string Shape, long Params)> rows, string name)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++) x = layers[i].Trace(x, rows, name.Length > 0 ? $"{name}.{i}" : i.ToString());
        return x;
    }
}
