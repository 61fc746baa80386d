namespace Sinapse;

// Joining and splitting along a dimension.
public sealed partial class Tensor
{
    /// <summary>Joins tensors along an existing dimension. Shape: all equal except along <paramref name="dim"/>.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat: no tensors given.");
        var first = tensors[0];
        int d = ShapeUtil.Axis(dim, first.Rank, "Concat");
        var outShape = (int[])first.shape.Clone();
        outShape[d] = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            bool ok = t.Rank == first.Rank;
            for (int j = 0; ok && j < t.Rank; j++) if (j != d && t.shape[j] != first.shape[j]) ok = false;
            if (!ok) throw new ArgumentException($"Concat: tensor {i} has shape {ShapeUtil.Str(t.shape)}, incompatible with {ShapeUtil.Str(first.shape)} along dimension {d}.");
            outShape[d] += t.shape[d];
        }
        var o = new Tensor(outShape);
        var starts = new int[tensors.Count];
        int at = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            starts[i] = at;
            using (Autograd.NoGrad()) o.Slice(d, at, at + tensors[i].shape[d]).CopyFrom(tensors[i]);
            at += tensors[i].shape[d];
        }
        return Autograd.Record(o, "Concat", tensors.ToArray(), g =>
        {
            var r = new Tensor?[tensors.Count];
            for (int i = 0; i < r.Length; i++) r[i] = g.Slice(d, starts[i], starts[i] + tensors[i].shape[d]);
            return r;
        });
    }

    /// <summary>Joins equally shaped tensors along a new dimension <paramref name="dim"/>.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Stack: no tensors given.");
        for (int i = 1; i < tensors.Count; i++)
            if (!tensors[i].shape.AsSpan().SequenceEqual(tensors[0].shape))
                throw new ArgumentException($"Stack: tensor {i} has shape {ShapeUtil.Str(tensors[i].shape)}, tensor 0 has {ShapeUtil.Str(tensors[0].shape)}.");
        return Concat(tensors.Select(t => t.Unsqueeze(dim)).ToList(), dim);
    }

    /// <summary>Splits into pieces of <paramref name="size"/> along <paramref name="dim"/> (the last may be smaller). Views.</summary>
    public Tensor[] Split(int size, int dim = 0)
    {
        if (size <= 0) throw new ArgumentException($"Split: size must be positive, got {size}.");
        int d = ShapeUtil.Axis(dim, Rank, "Split");
        var r = new List<Tensor>();
        for (int s = 0; s < shape[d]; s += size) r.Add(Slice(d, s, Math.Min(s + size, shape[d])));
        return r.ToArray();
    }

    /// <summary>Splits into pieces with the given sizes along <paramref name="dim"/>. Views.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        int d = ShapeUtil.Axis(dim, Rank, "Split");
        if (sizes.Sum() != shape[d])
            throw new ArgumentException($"Split: sizes {ShapeUtil.Str(sizes)} add up to {sizes.Sum()}, but dimension {d} of {ShapeUtil.Str(shape)} has {shape[d]}.");
        var r = new Tensor[sizes.Length];
        int at = 0;
        for (int i = 0; i < sizes.Length; i++) { r[i] = Slice(d, at, at + sizes[i]); at += sizes[i]; }
        return r;
    }
}
