using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// The inverse of <see cref="Flatten"/> (PyTorch's nn.Unflatten): splits dimension <see cref="Dim"/> into
/// <see cref="Sizes"/>, as a decoder does to turn a dense vector back into feature maps.
/// </summary>
/// <remarks>Shape: Unflatten(1, [32, 7, 7]) takes (N, 1568) to (N, 32, 7, 7).</remarks>
public sealed class Unflatten : Module<Tensor, Tensor>
{
    public int Dim { get; }
    public int[] Sizes { get; }

    public Unflatten(int dim, params int[] sizes)
    {
        if (sizes.Length == 0 || sizes.Any(v => v <= 0)) throw new ArgumentException($"Unflatten: sizes [{string.Join(", ", sizes)}] must be positive.");
        Dim = dim; Sizes = sizes;
    }

    public override Tensor Forward(Tensor input)
    {
        int d = Dim < 0 ? Dim + input.Rank : Dim;
        int product = Sizes.Aggregate(1, (a, b) => a * b);
        if ((uint)d >= (uint)input.Rank || input.Shape[d] != product)
            throw new ArgumentException($"Unflatten(dim {Dim}, [{string.Join(", ", Sizes)}]): input {ShapeUtil.Str(input.Shape)} has no dimension {Dim} of {product}.");
        var shape = input.Shape.Take(d).Concat(Sizes).Concat(input.Shape.Skip(d + 1)).ToArray();
        return input.Reshape(shape);
    }

    protected override string ExtraRepr() => $"dim={Dim}, unflattened_size=({string.Join(", ", Sizes)})";

    public override LayerSpec Describe()
    {
        var args = new Dictionary<string, double> { ["dim"] = Dim, ["dims"] = Sizes.Length };
        for (int i = 0; i < Sizes.Length; i++) args[$"size{i}"] = Sizes[i];
        return new LayerSpec("Unflatten", args);
    }
}
