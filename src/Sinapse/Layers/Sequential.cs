using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// Runs its layers in order, feeding each one's output to the next. Layers are named "0", "1", ….
/// For inference at full speed (fused Linear + ReLU, packed weights, the single-sample MLP path), see
/// <see cref="Inference.Prepare"/>.
/// </summary>
/// <remarks>Shape: the first layer's input → the last layer's output.</remarks>
public sealed class Sequential : Module<Tensor, Tensor>
{
    readonly List<Module<Tensor, Tensor>> layers = new();

    public Sequential(params Module<Tensor, Tensor>[] modules) { foreach (var m in modules) Add(m); }

    /// <summary>Appends a layer; returns this.</summary>
    public Sequential Add(Module<Tensor, Tensor> m)
    {
        RegisterModule(layers.Count.ToString(), m);
        layers.Add(m);
        return this;
    }

    public int Count => layers.Count;
    public Module<Tensor, Tensor> this[int i] => layers[i];
    public IReadOnlyList<Module<Tensor, Tensor>> Layers => layers;

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in layers) x = layer.Call(x);
        return x;
    }

    internal override Tensor Trace(Tensor input, List<(string Layer, string Shape, long Params)> rows, string name)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++) x = layers[i].Trace(x, rows, name.Length > 0 ? $"{name}.{i}" : i.ToString());
        return x;
    }
}
