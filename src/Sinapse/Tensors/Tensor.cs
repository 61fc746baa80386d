using System.Runtime.CompilerServices;

namespace Sinapse;

/// <summary>
/// An N-dimensional float32 array: a shape and strides over a flat storage, plus what reverse-mode
/// automatic differentiation needs (<see cref="RequiresGrad"/>, <see cref="Grad"/>, the node that made it).
/// </summary>
/// <remarks>
/// Views (<see cref="Reshape"/>, <see cref="Permute"/>, <see cref="Slice"/>, <see cref="Expand"/> …) share the
/// storage of their source; every operation returns a new tensor, so tensors are never mutated by ops
/// except through the explicit in-place helpers used by optimizers under <see cref="Autograd.NoGrad"/>.
/// Shape: any rank ≥ 0; a rank-0 tensor is a scalar holding one element.
/// </remarks>
public sealed partial class Tensor
{
    internal readonly float[] data;
    internal readonly int offset;
    internal readonly int[] shape;
    internal readonly int[] strides;
    bool requiresGrad;

    /// <summary>The node of the autograd graph that produced this tensor (null for leaves).</summary>
    internal Node? GradFn;

    /// <summary>
    /// Set by code that created this tensor and knows nobody but the autograd graph can reach it (a hidden
    /// activation inside <see cref="Layers.Sequential"/>): its storage goes back to the pool when Backward finishes.
    /// </summary>
    internal bool GraphOwned;

    /// <summary>The claim on a pooled storage array shared by this tensor and its views (null for user arrays).</summary>
    internal readonly PoolLease? lease;

    static long inPlaceWrites;

    /// <summary>
    /// Counts writes into the values of existing tensors: the indexer, <see cref="CopyFrom"/>, optimizer steps,
    /// restored weights. Copies derived from a parameter's values (the packed weights of single-sample inference)
    /// are valid while this count is unchanged. Code that writes into a tensor it did not just create calls
    /// <see cref="NoteInPlaceWrite"/>.
    /// </summary>
    internal static long InPlaceWrites => Volatile.Read(ref inPlaceWrites);

    /// <summary>Records that some tensor's values were changed in place (see <see cref="InPlaceWrites"/>).</summary>
    internal static void NoteInPlaceWrite() => Interlocked.Increment(ref inPlaceWrites);

    internal Tensor(float[] data, int offset, int[] shape, int[] strides) : this(data, offset, shape, strides, null) { }

    Tensor(float[] data, int offset, int[] shape, int[] strides, PoolLease? lease)
    {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.lease = lease;
        Size = ShapeUtil.Numel(shape);
    }

    /// <summary>A view: shares <paramref name="source"/>'s storage and its pool lease.</summary>
    internal Tensor(Tensor source, int offset, int[] shape, int[] strides) : this(source.data, offset, shape, strides, source.lease) { }

    /// <summary>A new contiguous tensor of zeros with the given shape, its storage from the pool.</summary>
    internal Tensor(int[] shape) : this(shape, zero: true) { }

    /// <summary>A new contiguous tensor whose values are undefined: only for outputs an op overwrites entirely.</summary>
    internal static Tensor Uninitialized(int[] shape) => new(shape, zero: false);

    /// <summary>
    /// A new contiguous tensor with storage from <see cref="BufferPool"/>. Its small parts (this object, its strides,
    /// its lease) are allocated before its array. Once gen 0's budget is spent, the next allocation that needs fresh
    /// space starts a collection, and a large array always needs it: made first, the array was alive in the collection
    /// that the tensor's small parts then started, and was copied into gen 1 before the op had written it (in a
    /// <c>MatMul</c> loop at n = 256, 256 KiB promoted by every gen-0 collection; made last, about 100 bytes).
    /// </summary>
    Tensor(int[] shape, bool zero)
    {
        this.shape = shape;
        Size = ShapeUtil.Numel(shape);
        strides = ShapeUtil.ContiguousStrides(shape);
        var reserved = PoolLease.Reserve(Size);
        data = BufferPool.Rent(Size, zero);
        lease = reserved?.Attach(data);
    }

    internal Tensor(float[] data, int[] shape) : this(data, 0, shape, ShapeUtil.ContiguousStrides(shape))
    {
        if (data.Length != Size)
            throw new ArgumentException($"Tensor: {data.Length} values cannot fill shape {ShapeUtil.Str(shape)} ({Size} elements).");
    }

    /// <summary>The shape, outermost dimension first. Do not modify the returned array.</summary>
    public int[] Shape => shape;

    /// <summary>The strides in elements, one per dimension. Do not modify the returned array.</summary>
    public int[] Strides => strides;

    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>Number of elements.</summary>
    public int Size { get; }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Dim(int dim) => shape[ShapeUtil.Axis(dim, Rank, "Dim")];

    /// <summary>True when the elements lie in row-major order without gaps starting at the offset.</summary>
    public bool IsContiguous => ShapeUtil.IsContiguous(shape, strides);

    /// <summary>Whether gradients are tracked for this tensor. Setting it is allowed on leaves only.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (GradFn != null && !value)
                throw new InvalidOperationException("RequiresGrad: cannot turn off gradient tracking of a non-leaf tensor; use Detach().");
            requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient after <see cref="Backward"/>; same shape as this tensor.</summary>
    public Tensor? Grad
    {
        get
        {
            if (gradPendingZero) { gradPendingZero = false; grad!.Span.Clear(); }
            return grad;
        }
        set { grad = value; gradPendingZero = false; }
    }

    Tensor? grad;

    /// <summary>
    /// Set by an optimizer's ZeroGrad: <see cref="grad"/> holds stale values that stand for zeros. Reading
    /// <see cref="Grad"/> clears them first; an op that writes the whole gradient (Linear's dW = dyᵀ·x) overwrites
    /// them instead (<see cref="TakeGradPendingZero"/>), so zeroing costs no pass over memory.
    /// </summary>
    bool gradPendingZero;

    /// <summary>Zeroes a contiguous gradient lazily (see <see cref="gradPendingZero"/>); drops any other.</summary>
    internal void ZeroGradLazily()
    {
        if (grad is { IsContiguous: true }) gradPendingZero = true;
        else Grad = null;
    }

    /// <summary>The gradient without clearing a pending zero, for ops that accumulate into it in place.</summary>
    internal Tensor? RawGrad => grad;

    /// <summary>Whether the gradient's values are to be taken as zeros (and the caller now overwrites them all).</summary>
    internal bool TakeGradPendingZero()
    {
        bool pending = gradPendingZero;
        gradPendingZero = false;
        return pending;
    }

    /// <summary>True for tensors created by the user (not by an op that tracked gradients).</summary>
    public bool IsLeaf => GradFn == null;

    /// <summary>Name of the op that produced this tensor, or null for leaves.</summary>
    public string? GradFnName => GradFn?.Op;

    /// <summary>Marks this tensor as requiring gradients and returns it (fluent).</summary>
    public Tensor RequireGrad(bool value = true) { RequiresGrad = value; return this; }

    /// <summary>Clears <see cref="Grad"/>.</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>A tensor sharing this storage but cut from the graph (no gradient flows through it).</summary>
    public Tensor Detach() => new(this, offset, shape, strides);

    /// <summary>The element at the given multi-index (negative indices count from the end).</summary>
    [IndexerName("Element")]
    public float this[params int[] index]
    {
        get => data[FlatIndex(index)];
        set { data[FlatIndex(index)] = value; NoteInPlaceWrite(); }
    }

    int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"Indexer: {index.Length} indices given for a tensor of shape {ShapeUtil.Str(shape)}.");
        int p = offset;
        for (int d = 0; d < index.Length; d++)
        {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if ((uint)i >= (uint)shape[d])
                throw new IndexOutOfRangeException($"Indexer: index {index[d]} is out of range for dimension {d} of size {shape[d]} (shape {ShapeUtil.Str(shape)}).");
            p += i * strides[d];
        }
        return p;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item: tensor of shape {ShapeUtil.Str(shape)} has {Size} elements, not 1.");
        return data[offset];
    }

    /// <summary>A contiguous tensor with the same values: this one if already contiguous, else a copy (differentiable).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var o = new Tensor((int[])shape.Clone());
        CopyTo(o.data);
        return Node.Record(o, "Contiguous", [this], g => [g]);
    }

    /// <summary>A contiguous copy in long-lived storage (see <see cref="BufferPool.LongLived"/>), outside any graph:
    /// for parameters, which live as long as their model.</summary>
    internal Tensor LongLivedCopy() => CopyInto(BufferPool.LongLived(Size, zero: false));

    /// <summary>A contiguous tensor of this shape, outside any graph, whose storage is <paramref name="a"/> filled
    /// with a copy of this tensor's values.</summary>
    Tensor CopyInto(float[] a)
    {
        CopyTo(a);
        return new Tensor(a, (int[])shape.Clone());
    }

    /// <summary>Storage set aside for this leaf's first gradient (see <see cref="ReserveGrad"/>), or null.</summary>
    float[]? reservedGrad;

    /// <summary>
    /// Sets aside long-lived storage for this parameter's gradient (optimizers do, when they are built), so that
    /// the first backward pass does not allocate it in the middle of training. <see cref="Grad"/> stays null until
    /// a backward pass writes it.
    /// </summary>
    internal void ReserveGrad()
    {
        if (Grad == null) reservedGrad ??= BufferPool.LongLived(Size, zero: false);
    }

    /// <summary>Makes the reserved storage, as a pending zero, this leaf's <see cref="Grad"/> (for ops that accumulate
    /// into it in place); false when there is none or a gradient exists already.</summary>
    internal bool AdoptReservedGrad()
    {
        if (grad != null || reservedGrad == null) return false;
        grad = new Tensor(reservedGrad, (int[])shape.Clone());
        gradPendingZero = true;
        reservedGrad = null;
        return true;
    }

    /// <summary>A leaf's first gradient: a copy of <paramref name="g"/> (same shape) in the reserved storage, used
    /// once, or else in a fresh array.</summary>
    internal Tensor NewLeafGrad(Tensor g)
    {
        var a = reservedGrad is { } r && r.Length == g.Size ? r : GC.AllocateUninitializedArray<float>(g.Size);
        reservedGrad = null;
        return g.CopyInto(a);
    }

    /// <summary>A deep copy with its own contiguous storage (differentiable).</summary>
    public Tensor Clone()
    {
        var o = new Tensor((int[])shape.Clone());
        CopyTo(o.data);
        return Node.Record(o, "Clone", [this], g => [g]);
    }

    /// <summary>The values in row-major order as a new array.</summary>
    public float[] ToArray()
    {
        var r = new float[Size];
        CopyTo(r);
        return r;
    }

    /// <summary>Copies the values, in row-major order, into <paramref name="dst"/>.</summary>
    internal void CopyTo(Span<float> dst)
    {
        if (IsContiguous) { data.AsSpan(offset, Size).CopyTo(dst); return; }
        Strided.Copy(this, dst);
    }

    /// <summary>A span over the elements; valid only for contiguous tensors.</summary>
    internal Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (!IsContiguous) throw new InvalidOperationException("internal: Span requested on a non-contiguous tensor");
            return data.AsSpan(offset, Size);
        }
    }

    /// <summary>Writes the values of <paramref name="src"/> (same shape) into this tensor, in place, without tracking gradients.</summary>
    public void CopyFrom(Tensor src)
    {
        ShapeUtil.CheckSame("CopyFrom", shape, src.shape);
        NoteInPlaceWrite();
        if (IsContiguous) src.CopyTo(Span);
        else
        {
            var tmp = src.ToArray();
            Strided.Scatter(tmp, this);
        }
    }
}
