namespace Sinapse;

// Views share storage with their source (no copy). Their backward maps the gradient back to the source's shape.
public sealed partial class Tensor
{
    /// <summary>
    /// The same elements with a new shape; one dimension may be −1 (inferred). A view when the layout allows it,
    /// otherwise a contiguous copy (like torch.reshape).
    /// </summary>
    public Tensor Reshape(params int[] newShape)
    {
        var ns = InferShape(newShape, "Reshape");
        var src = IsContiguous ? this : Contiguous();
        var o = new Tensor(src, src.offset, ns, ShapeUtil.ContiguousStrides(ns));
        return Autograd.Record(o, "Reshape", [src], g => [g.Reshape(src.shape)]);
    }

    /// <summary>Like <see cref="Reshape"/> but never copies: fails on non-contiguous tensors.</summary>
    public Tensor View(params int[] newShape)
    {
        if (!IsContiguous)
            throw new InvalidOperationException($"View: a tensor of shape {ShapeUtil.Str(shape)} with strides {ShapeUtil.Str(strides)} is not contiguous; use Reshape (which copies) or Contiguous() first.");
        return Reshape(newShape);
    }

    int[] InferShape(int[] newShape, string op)
    {
        var ns = (int[])newShape.Clone();
        int infer = -1, known = 1;
        for (int i = 0; i < ns.Length; i++)
        {
            if (ns[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dimension can be -1 in {ShapeUtil.Str(newShape)}.");
                infer = i;
            }
            else known *= ns[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"{op}: cannot reshape {ShapeUtil.Str(shape)} ({Numel} elements) into {ShapeUtil.Str(newShape)}.");
            ns[infer] = Numel / known;
        }
        if (ShapeUtil.Numel(ns) != Numel)
            throw new ArgumentException($"{op}: cannot reshape {ShapeUtil.Str(shape)} ({Numel} elements) into {ShapeUtil.Str(newShape)}.");
        return ns;
    }

    /// <summary>Flattens dimensions <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = ShapeUtil.Axis(startDim, Rank, "Flatten"), e = ShapeUtil.Axis(endDim, Rank, "Flatten");
        var ns = new List<int>();
        for (int i = 0; i < s; i++) ns.Add(shape[i]);
        int m = 1;
        for (int i = s; i <= e; i++) m *= shape[i];
        ns.Add(m);
        for (int i = e + 1; i < Rank; i++) ns.Add(shape[i]);
        return Reshape(ns.ToArray());
    }

    /// <summary>Reorders dimensions: output dimension i is input dimension dims[i].</summary>
    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank) throw new ArgumentException($"Permute: {dims.Length} dimensions given for a tensor of rank {Rank} (shape {ShapeUtil.Str(shape)}).");
        var d = dims.Select(x => ShapeUtil.Axis(x, Rank, "Permute")).ToArray();
        if (d.Distinct().Count() != Rank) throw new ArgumentException($"Permute: {ShapeUtil.Str(dims)} is not a permutation of the {Rank} dimensions.");
        var ns = d.Select(i => shape[i]).ToArray();
        var nst = d.Select(i => strides[i]).ToArray();
        var inv = new int[Rank];
        for (int i = 0; i < Rank; i++) inv[d[i]] = i;
        return Autograd.Record(new Tensor(this, offset, ns, nst), "Permute", [this], g => [g.Permute(inv)]);
    }

    /// <summary>Swaps two dimensions.</summary>
    public Tensor Transpose(int dim0 = -2, int dim1 = -1)
    {
        var p = Enumerable.Range(0, Rank).ToArray();
        int a = ShapeUtil.Axis(dim0, Rank, "Transpose"), b = ShapeUtil.Axis(dim1, Rank, "Transpose");
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>Transpose of a 2-D tensor (a view).</summary>
    public Tensor T => Rank == 2 ? Transpose(0, 1) : throw new InvalidOperationException($"T: expects a 2-D tensor, got shape {ShapeUtil.Str(shape)}; use Transpose(d0, d1).");

    /// <summary>Elements start, start+step, … below end along <paramref name="dim"/> (negative start/end count from the end).</summary>
    public Tensor Slice(int dim, int start, int? end = null, int step = 1)
    {
        int d = ShapeUtil.Axis(dim, Rank, "Slice");
        int n = shape[d];
        if (step <= 0) throw new ArgumentException($"Slice: step must be positive, got {step}.");
        int s = start < 0 ? start + n : start, e = end is int ee ? (ee < 0 ? ee + n : ee) : n;
        s = Math.Clamp(s, 0, n); e = Math.Clamp(e, s, n);
        var ns = (int[])shape.Clone();
        ns[d] = (e - s + step - 1) / step;
        var nst = (int[])strides.Clone();
        nst[d] = strides[d] * step;
        var o = new Tensor(this, offset + s * strides[d], ns, nst);
        var inShape = shape;
        return Autograd.Record(o, "Slice", [this], g =>
        {
            var z = Zeros(inShape);
            z.Slice(d, s, e, step).CopyFrom(g);
            return [z];
        });
    }

    /// <summary>The slice at <paramref name="index"/> along <paramref name="dim"/>, with that dimension removed.</summary>
    public Tensor Select(int dim, int index)
    {
        int d = ShapeUtil.Axis(dim, Rank, "Select");
        int i = index < 0 ? index + shape[d] : index;
        if ((uint)i >= (uint)shape[d]) throw new IndexOutOfRangeException($"Select: index {index} is out of range for dimension {d} of size {shape[d]} (shape {ShapeUtil.Str(shape)}).");
        return Slice(d, i, i + 1).Squeeze(d);
    }

    /// <summary>Removes dimension <paramref name="dim"/> if it has size 1; with no argument removes all size-1 dimensions.</summary>
    public Tensor Squeeze(int? dim = null)
    {
        var keep = new List<int>();
        int? only = dim is int dd ? ShapeUtil.Axis(dd, Rank, "Squeeze") : null;
        for (int i = 0; i < Rank; i++)
            if (shape[i] != 1 || (only is int o && o != i)) keep.Add(i);
        var ns = keep.Select(i => shape[i]).ToArray();
        var nst = keep.Select(i => strides[i]).ToArray();
        var inShape = shape;
        return Autograd.Record(new Tensor(this, offset, ns, nst), "Squeeze", [this], g => [g.Reshape(inShape)]);
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/> (−1 appends).</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if (d < 0 || d > Rank) throw new ArgumentException($"Unsqueeze: dimension {dim} is out of range for rank {Rank}.");
        var ns = shape.ToList(); ns.Insert(d, 1);
        var nst = strides.ToList(); nst.Insert(d, d < Rank ? strides[d] * shape[d] : 1);
        var inShape = shape;
        return Autograd.Record(new Tensor(this, offset, ns.ToArray(), nst.ToArray()), "Unsqueeze", [this], g => [g.Reshape(inShape)]);
    }

    /// <summary>
    /// Broadcasts size-1 (or missing leading) dimensions to <paramref name="newShape"/> without copying (stride 0);
    /// −1 keeps a dimension. The gradient is summed back over the expanded dimensions.
    /// </summary>
    public Tensor Expand(params int[] newShape)
    {
        if (newShape.Length < Rank) throw new ArgumentException($"Expand: target {ShapeUtil.Str(newShape)} has fewer dimensions than {ShapeUtil.Str(shape)}.");
        var ns = (int[])newShape.Clone();
        int lead = ns.Length - Rank;
        for (int i = 0; i < ns.Length; i++)
        {
            int cur = i < lead ? 1 : shape[i - lead];
            if (ns[i] == -1) ns[i] = cur;
            if (cur != ns[i] && cur != 1)
                throw new ArgumentException($"Expand: cannot expand {ShapeUtil.Str(shape)} to {ShapeUtil.Str(newShape)} (dimension {i}: {cur} vs {ns[i]}).");
        }
        var o = new Tensor(this, offset, ns, ShapeUtil.BroadcastStrides(this, ns));
        return Autograd.Record(o, "Expand", [this], g => [g]);
    }

    /// <summary>Same as <see cref="Expand"/>.</summary>
    public Tensor BroadcastTo(params int[] newShape) => Expand(newShape);
}
