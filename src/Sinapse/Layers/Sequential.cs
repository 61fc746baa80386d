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

    /// <remarks>
    /// A <see cref="Linear"/> or <see cref="Conv2d"/> followed by <see cref="ReLU"/> runs as one op: the product clamps
    /// its outputs as it stores them and backward masks the gradient on its way in, the same values bit for bit as the
    /// two layers one after the other, without the activation's own passes over memory.
    /// </remarks>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            if (i + 1 < layers.Count && layers[i + 1] is ReLU)
            {
                if (layers[i] is Linear linear) { x = linear.ForwardRelu(x); i++; continue; }
                if (layers[i] is Conv2d conv) { x = conv.ForwardRelu(x); i++; continue; }
            }
            x = layers[i].Call(x);
        }
        return x;
    }

    internal override Tensor Trace(Tensor input, List<(string Layer, string Shape, long Params)> rows, string name)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++) x = layers[i].Trace(x, rows, name.Length > 0 ? $"{name}.{i}" : i.ToString());
        return x;
    }
}
