namespace Sinapse;

// Selecting elements by integer indices. Index tensors hold whole numbers stored as float32.
public sealed partial class Tensor
{
    /// <summary>
    /// The entries at <paramref name="indices"/> along <paramref name="dim"/>. Shape: dimension dim becomes
    /// indices.Length. Backward scatters (adds) the gradient back to the selected entries.
    /// </summary>
    public Tensor IndexSelect(int dim, int[] indices)
    {
        int d = ShapeUtil.Axis(dim, Rank, "IndexSelect");
        int n = shape[d];
        foreach (var i in indices)
            if ((uint)i >= (uint)n) throw new IndexOutOfRangeException($"IndexSelect: index {i} is out of range for dimension {d} of size {n} (shape {ShapeUtil.Str(shape)}).");
        var c = NoGraph().Contiguous();
        var (outer, _, inner) = Split3(d);
        var outShape = (int[])shape.Clone(); outShape[d] = indices.Length;
        var o = new Tensor(outShape);
        for (int a = 0; a < outer; a++)
            for (int j = 0; j < indices.Length; j++)
                c.data.AsSpan(c.offset + (a * n + indices[j]) * inner, inner).CopyTo(o.data.AsSpan((a * indices.Length + j) * inner, inner));
        var inShape = shape;
        return Autograd.Record(o, "IndexSelect", [this], g =>
        {
            var z = Zeros(inShape);
            var gc = g.Contiguous();
            for (int a = 0; a < outer; a++)
                for (int j = 0; j < indices.Length; j++)
                {
                    var dst = z.data.AsSpan((a * n + indices[j]) * inner, inner);
                    var src = gc.data.AsSpan(gc.offset + (a * indices.Length + j) * inner, inner);
                    for (int t = 0; t < inner; t++) dst[t] += src[t];
                }
            return [z];
        });
    }

    /// <summary>
    /// Looks up rows of <paramref name="weight"/>: out[…, :] = weight[indices[…], :]. Indices are whole numbers stored
    /// as float32. Backward adds each output row's gradient into the weight row it came from; rows at
    /// <paramref name="paddingIdx"/> get no gradient.
    /// Shape: indices (…), weight (num_embeddings, dim) → (…, dim).
    /// </summary>
    public static Tensor Embedding(Tensor indices, Tensor weight, int? paddingIdx = null)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Embedding: weight must be 2-D (num_embeddings, dim), got {ShapeUtil.Str(weight.shape)}.");
        int n = weight.shape[0], dim = weight.shape[1];
        var idx = indices.ToArray();
        var rows = new int[idx.Length];
        for (int j = 0; j < idx.Length; j++)
        {
            float v = idx[j];
            if (v != MathF.Floor(v) || v < 0 || v >= n)
                throw new IndexOutOfRangeException($"Embedding: index {v} at position {j} of indices {ShapeUtil.Str(indices.shape)} is not a whole number in 0…{n - 1}.");
            rows[j] = (int)v;
        }
        var w = weight.IsContiguous ? weight : weight.NoGraph().Contiguous();
        var o = Uninitialized([.. indices.shape, dim]);
        for (int j = 0; j < rows.Length; j++)
            w.data.AsSpan(w.offset + rows[j] * dim, dim).CopyTo(o.data.AsSpan(o.offset + j * dim, dim));
        return Autograd.Record(o, "Embedding", [weight], g =>
        {
            var gc = g.IsContiguous ? g : g.Contiguous();
            var gw = Zeros(n, dim);
            for (int j = 0; j < rows.Length; j++)
            {
                if (rows[j] == paddingIdx) continue;
                var dst = gw.data.AsSpan(rows[j] * dim, dim);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, gc.data.AsSpan(gc.offset + j * dim, dim), dst);
            }
            return [gw];
        });
    }

    /// <summary>
    /// torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1 (likewise for other dims). Shape: the
    /// index's shape; index has this tensor's rank. Backward scatters (adds) into the gathered positions.
    /// </summary>
    public Tensor Gather(int dim, Tensor index)
    {
        int d = ShapeUtil.Axis(dim, Rank, "Gather");
        if (index.Rank != Rank) throw new ArgumentException($"Gather: index {ShapeUtil.Str(index.shape)} must have the rank of the input {ShapeUtil.Str(shape)}.");
        for (int i = 0; i < Rank; i++)
            if (i != d && index.shape[i] > shape[i])
                throw new ArgumentException($"Gather: index {ShapeUtil.Str(index.shape)} is larger than input {ShapeUtil.Str(shape)} in dimension {i}.");
        var idx = index.NoGraph().Contiguous().ToArray();
        var o = new Tensor((int[])index.shape.Clone());
        var pos = new int[idx.Length];
        var ix = new int[Rank];
        for (int f = 0; f < idx.Length; f++)
        {
            int v = (int)idx[f];
            if (v != idx[f] || (uint)v >= (uint)shape[d])
                throw new IndexOutOfRangeException($"Gather: index value {idx[f]} is out of range for dimension {d} of size {shape[d]}.");
            int p = offset;
            for (int k = 0; k < Rank; k++) p += (k == d ? v : ix[k]) * strides[k];
            pos[f] = p;
            o.data[f] = data[p];
            for (int k = Rank - 1; k >= 0; k--) { if (++ix[k] < index.shape[k]) break; ix[k] = 0; }
        }
        var src = this;
        return Autograd.Record(o, "Gather", [this], g =>
        {
            var z = Zeros(src.shape);
            var zs = ShapeUtil.ContiguousStrides(src.shape);
            var gc = g.Contiguous().ToArray();
            // Recompute contiguous positions from source positions (source may be a strided view).
            var jx = new int[src.Rank];
            for (int f = 0; f < gc.Length; f++)
            {
                int p = 0;
                for (int k = 0; k < src.Rank; k++) p += (k == d ? (int)idx[f] : jx[k]) * zs[k];
                z.data[p] += gc[f];
                for (int k = src.Rank - 1; k >= 0; k--) { if (++jx[k] < index.shape[k]) break; jx[k] = 0; }
            }
            return [z];
        });
    }

    /// <summary>One-hot encoding of integer labels. Shape: (n) → (n, classes).</summary>
    public static Tensor OneHot(Tensor labels, int classes)
    {
        var l = labels.NoGraph().Contiguous().ToArray();
        var outShape = labels.shape.Concat(new[] { classes }).ToArray();
        var o = new Tensor(outShape);
        for (int i = 0; i < l.Length; i++)
        {
            int c = (int)l[i];
            if (c != l[i] || (uint)c >= (uint)classes)
                throw new ArgumentException($"OneHot: label {l[i]} at position {i} is not an integer in [0, {classes}).");
            o.data[i * classes + c] = 1f;
        }
        return o;
    }

    /// <summary>One-hot encoding of integer labels. Shape: (n) → (n, classes).</summary>
    public static Tensor OneHot(int[] labels, int classes) => OneHot(FromArray(labels.Select(x => (float)x).ToArray()), classes);
}
