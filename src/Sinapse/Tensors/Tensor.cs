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
    internal float[] data;
    internal readonly int offset;
    internal readonly int[] shape;
    internal readonly int[] strides;
    bool requiresGrad;

    /// <summary>The node of the autograd graph that produced this tensor (null for leaves).</summary>
    internal Node? GradFn;

    /// <summary>What this tensor shares with its views: the array, its version and its claim on the pool.</summary>
    internal readonly Storage storage;

    /// <summary>A tensor over a user's array (never pooled).</summary>
    internal Tensor(float[] data, int offset, int[] shape, int[] strides) : this(new Storage(data), offset, shape, strides) { }

    Tensor(Storage storage, int offset, int[] shape, int[] strides)
    {
        this.storage = storage;
        data = storage.Array;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        Numel = ShapeUtil.Numel(shape);
    }

    /// <summary>A view: shares <paramref name="source"/>'s storage (array, version and pool claim).</summary>
    internal Tensor(Tensor source, int offset, int[] shape, int[] strides) : this(source.storage, offset, shape, strides) { }

    /// <summary>A new contiguous tensor of zeros with the given shape.</summary>
    internal Tensor(int[] shape) : this(shape, zero: true) { }

    /// <summary>A new contiguous tensor whose values are undefined: only for outputs an op overwrites entirely.</summary>
    internal static Tensor Uninitialized(int[] shape) => new(shape, zero: false);

    /// <summary>
    /// A new contiguous tensor whose storage the engine chooses (see <see cref="BufferPool"/>). Its small parts (this
    /// object, its strides, its storage) are allocated before its array (see <see cref="Storage.Rent"/>).
    /// </summary>
    Tensor(int[] shape, bool zero)
    {
        this.shape = shape;
        Numel = ShapeUtil.Numel(shape);
        strides = ShapeUtil.ContiguousStrides(shape);
        storage = Storage.Rent(Numel, zero);
        data = storage.Array;
    }

    internal Tensor(float[] data, int[] shape) : this(data, 0, shape, ShapeUtil.ContiguousStrides(shape))
    {
        if (data.Length != Numel)
            throw new ArgumentException($"Tensor: {data.Length} values cannot fill shape {ShapeUtil.Str(shape)} ({Numel} elements).");
    }

    /// <summary>
    /// Counts the in-place writes into this tensor's storage (like PyTorch's <c>_version</c>): the indexer,
    /// <see cref="CopyFrom"/>, <see cref="AsSpan"/>, optimizer steps and loaded weights each bump it. Views share it.
    /// A cache derived from a tensor's values is valid while the version it was made at is unchanged.
    /// </summary>
    public int Version => Volatile.Read(ref storage.Version);

    /// <summary>Records an in-place write into this tensor's storage (see <see cref="Version"/>).</summary>
    internal void BumpVersion() => Interlocked.Increment(ref storage.Version);

    /// <summary>Whether <paramref name="other"/> shares this tensor's storage (one is a view of the other, or both of one source).</summary>
    public bool SharesStorage(Tensor other) => ReferenceEquals(storage, other.storage);

    /// <summary>The shape, outermost dimension first. Do not modify the returned array.</summary>
    public int[] Shape => shape;

    /// <summary>The strides in elements, one per dimension. Do not modify the returned array.</summary>
    public int[] Strides => strides;

    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>Number of elements (PyTorch's <c>numel()</c>).</summary>
    public int Numel { get; }

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

    /// <summary>
    /// Zeroes <see cref="Grad"/>, keeping its buffer (lazily, as <see cref="Optimizers.Optimizer.ZeroGrad"/> does), or
    /// drops it with <paramref name="setToNone"/>.
    /// </summary>
    public void ZeroGrad(bool setToNone = false)
    {
        if (setToNone) Grad = null;
        else ZeroGradLazily();
    }

    /// <summary>
    /// A tensor sharing this storage but cut from the graph (no gradient flows through it). What is detached is kept:
    /// a layer that keeps a state across calls (a recurrent state for truncated BPTT) keeps its detached value.
    /// </summary>
    public Tensor Detach()
    {
        storage.Kept = true;
        return new(this, offset, shape, strides);
    }

    /// <summary>The engine's own detached view, for values read inside an op (does not mark the storage kept).</summary>
    internal Tensor NoGraph() => new(this, offset, shape, strides);

    /// <summary>The element at the given multi-index (negative indices count from the end).</summary>
    [IndexerName("Element")]
    public float this[params int[] index]
    {
        get => data[FlatIndex(index)];
        set { data[FlatIndex(index)] = value; BumpVersion(); }
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
        if (Numel != 1) throw new InvalidOperationException($"Item: tensor of shape {ShapeUtil.Str(shape)} has {Numel} elements, not 1.");
        return data[offset];
    }

    /// <summary>A contiguous tensor with the same values: this one if already contiguous, else a copy (differentiable).</summary>
    public Tensor Contiguous()
    {
        if (IsContiguous) return this;
        var o = new Tensor((int[])shape.Clone());
        CopyTo(o.data);
        return Autograd.Record(o, "Contiguous", [this], g => [g]);
    }

    /// <summary>
    /// Moves a leaf that owns its whole array into long-lived storage (see <see cref="BufferPool.LongLived"/>), keeping
    /// its values and identity: parameters and buffers live as long as their model. Other tensors are left as they are.
    /// </summary>
    internal void MoveToLongLived()
    {
        storage.Kept = true;
        if (GradFn != null || offset != 0 || !IsContiguous || data.Length != Numel || Numel < BufferPool.MinPooledLength) return;
        if (GC.GetGeneration(data) == GC.MaxGeneration) return;
        var a = BufferPool.LongLived(Numel, zero: false);
        data.AsSpan().CopyTo(a);
        storage.MoveTo(a);
        data = a;
    }

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
        if (Grad == null) reservedGrad ??= BufferPool.LongLived(Numel, zero: false);
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
        var a = reservedGrad is { } r && r.Length == g.Numel ? r : GC.AllocateUninitializedArray<float>(g.Numel);
        reservedGrad = null;
        return g.CopyInto(a);
    }

    /// <summary>A deep copy with its own contiguous storage (differentiable).</summary>
    public Tensor Clone()
    {
        var o = new Tensor((int[])shape.Clone());
        CopyTo(o.data);
        return Autograd.Record(o, "Clone", [this], g => [g]);
    }

    /// <summary>The values in row-major order as a new array.</summary>
    public float[] ToArray()
    {
        var r = new float[Numel];
        CopyTo(r);
        return r;
    }

    /// <summary>Copies the values, in row-major order, into <paramref name="dst"/>.</summary>
    internal void CopyTo(Span<float> dst)
    {
        if (IsContiguous) { data.AsSpan(offset, Numel).CopyTo(dst); return; }
        Strided.Copy(this, dst);
    }

    /// <summary>A span over the elements; valid only for contiguous tensors.</summary>
    internal Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (!IsContiguous) throw new InvalidOperationException("internal: Span requested on a non-contiguous tensor");
            return data.AsSpan(offset, Numel);
        }
    }

    /// <summary>
    /// The elements of a contiguous tensor as a writable span, for kernels written outside the library (a custom op
    /// filling its output). Counts as an in-place write (bumps <see cref="Version"/>).
    /// </summary>
    public Span<float> AsSpan()
    {
        if (!IsContiguous) throw new InvalidOperationException($"AsSpan: a tensor of shape {ShapeUtil.Str(shape)} with strides {ShapeUtil.Str(strides)} is not contiguous; call Contiguous() first.");
        BumpVersion();
        return data.AsSpan(offset, Numel);
    }

    /// <summary>The elements of a contiguous tensor, read-only.</summary>
    public ReadOnlySpan<float> AsReadOnlySpan()
    {
        if (!IsContiguous) throw new InvalidOperationException($"AsReadOnlySpan: a tensor of shape {ShapeUtil.Str(shape)} with strides {ShapeUtil.Str(strides)} is not contiguous; call Contiguous() first.");
        return data.AsSpan(offset, Numel);
    }

    /// <summary>Writes the values of <paramref name="src"/> (same shape) into this tensor, in place, without tracking gradients.</summary>
    public void CopyFrom(Tensor src)
    {
        ShapeUtil.CheckSame("CopyFrom", shape, src.shape);
        BumpVersion();
        if (IsContiguous) src.CopyTo(Span);
        else
        {
            var tmp = src.ToArray();
            Strided.Scatter(tmp, this);
        }
    }
}
