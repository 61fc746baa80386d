using System.Numerics.Tensors;
using Sinapse.Kernels;

namespace Sinapse;

// Reductions along axes. With no axes they reduce everything to a scalar.
public sealed partial class Tensor
{
    enum ReduceKind { Sum, Max, Min }

    /// <summary>Sum over <paramref name="axes"/> (all when empty). Shape: reduced dimensions removed, or kept as 1 with keepDim.</summary>
    public Tensor Sum(int[]? axes = null, bool keepDim = false)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, Rank, "Sum");
        var o = Reduce(ax, keepDim, ReduceKind.Sum);
        var inShape = shape;
        var kept = KeptShape(ax);
        return Autograd.Record(o, "Sum", [this], g => [g.Reshape(kept).Expand(inShape)]);
    }

    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Arithmetic mean over <paramref name="axes"/> (all when empty).</summary>
    public Tensor Mean(int[]? axes = null, bool keepDim = false)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, Rank, "Mean");
        int count = 1;
        foreach (var a in ax) count *= shape[a];
        return Sum(ax, keepDim) / (float)Math.Max(count, 1);
    }

    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>Maximum over axes; the gradient is shared equally among tied maxima.</summary>
    public Tensor Max(int[]? axes = null, bool keepDim = false) => Extremum(axes, keepDim, ReduceKind.Max, "Max");
    public Tensor Max(int axis, bool keepDim = false) => Max([axis], keepDim);

    /// <summary>Minimum over axes; the gradient is shared equally among tied minima.</summary>
    public Tensor Min(int[]? axes = null, bool keepDim = false) => Extremum(axes, keepDim, ReduceKind.Min, "Min");
    public Tensor Min(int axis, bool keepDim = false) => Min([axis], keepDim);

    Tensor Extremum(int[]? axes, bool keepDim, ReduceKind kind, string op)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, Rank, op);
        if (Numel == 0) throw new InvalidOperationException($"{op}: cannot reduce an empty tensor of shape {ShapeUtil.Str(shape)}.");
        var o = Reduce(ax, keepDim, kind);
        var kept = KeptShape(ax);
        var x = this;
        return Autograd.Record(o, op, [x], g =>
        {
            var mask = x.NoGraph().Eq(o.Reshape(kept));
            var count = mask.Reduce(ax, true, ReduceKind.Sum);
            return [mask * g.Reshape(kept) / count];
        });
    }

    /// <summary>Variance over axes with Bessel's correction by default (divide by n − correction).</summary>
    public Tensor Var(int[]? axes = null, bool keepDim = false, int correction = 1)
    {
        var ax = ShapeUtil.NormalizeAxes(axes, Rank, "Var");
        int count = 1;
        foreach (var a in ax) count *= shape[a];
        var centered = this - Mean(ax, true);
        return (centered * centered).Sum(ax, keepDim) / (float)Math.Max(count - correction, 1);
    }

    public Tensor Var(int axis, bool keepDim = false, int correction = 1) => Var([axis], keepDim, correction);

    /// <summary>Standard deviation: √Var.</summary>
    public Tensor Std(int[]? axes = null, bool keepDim = false, int correction = 1) => Var(axes, keepDim, correction).Sqrt();
    public Tensor Std(int axis, bool keepDim = false, int correction = 1) => Std([axis], keepDim, correction);

    /// <summary>Index of the maximum along <paramref name="axis"/> (first one on ties), as float values. Not differentiable.</summary>
    public Tensor ArgMax(int axis = -1, bool keepDim = false) => ArgExtremum(axis, keepDim, true);

    /// <summary>Index of the minimum along <paramref name="axis"/> (first one on ties), as float values. Not differentiable.</summary>
    public Tensor ArgMin(int axis = -1, bool keepDim = false) => ArgExtremum(axis, keepDim, false);

    Tensor ArgExtremum(int axis, bool keepDim, bool max)
    {
        int a = ShapeUtil.Axis(axis, Rank, max ? "ArgMax" : "ArgMin");
        if (shape[a] == 0) throw new InvalidOperationException($"{(max ? "ArgMax" : "ArgMin")}: dimension {a} is empty.");
        var c = NoGraph().Contiguous();
        var (outer, len, inner) = Split3(a);
        var o = new Tensor(KeptShape([a]));
        var src = c.data; int off = c.offset;
        for (int i = 0; i < outer; i++)
            for (int k = 0; k < inner; k++)
            {
                int best = 0; float bv = src[off + i * len * inner + k];
                for (int j = 1; j < len; j++)
                {
                    float v = src[off + (i * len + j) * inner + k];
                    if (max ? v > bv : v < bv) { bv = v; best = j; }
                }
                o.data[i * inner + k] = best;
            }
        return keepDim ? o : o.Squeeze(a);
    }

    int[] KeptShape(int[] axes)
    {
        var k = (int[])shape.Clone();
        foreach (var a in axes) k[a] = 1;
        return k;
    }

    (int outer, int len, int inner) Split3(int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < Rank; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }

    /// <summary>Reduction kernel without graph recording: one axis at a time, innermost first.</summary>
    Tensor Reduce(int[] axes, bool keepDim, ReduceKind kind)
    {
        var cur = NoGraph().Contiguous();
        for (int i = axes.Length - 1; i >= 0; i--) cur = cur.ReduceAxis(axes[i], kind);
        if (!keepDim)
        {
            var outShape = new List<int>();
            for (int i = 0; i < Rank; i++) if (!axes.Contains(i)) outShape.Add(shape[i]);
            cur = new Tensor(cur, cur.offset, outShape.ToArray(), ShapeUtil.ContiguousStrides(outShape.ToArray()));
        }
        return cur;
    }

    /// <summary>Reduces one axis of a contiguous tensor, keeping it as size 1. Layout (outer, len, inner).</summary>
    Tensor ReduceAxis(int axis, ReduceKind kind)
    {
        var (outer, len, inner) = Split3(axis);
        var o = new Tensor(KeptShape([axis]));
        float[] src = data, dst = o.data;
        int off = offset;
        if (len == 0) return o;
        ParallelLoop.For(outer, Math.Max(1, (1 << 15) / Math.Max(len * inner, 1)), (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                if (inner == 1)
                {
                    var row = src.AsSpan(off + i * len, len);
                    dst[i] = kind switch { ReduceKind.Sum => TensorPrimitives.Sum(row), ReduceKind.Max => TensorPrimitives.Max(row), _ => TensorPrimitives.Min(row) };
                    continue;
                }
                var acc = dst.AsSpan(i * inner, inner);
                src.AsSpan(off + i * len * inner, inner).CopyTo(acc);
                for (int j = 1; j < len; j++)
                {
                    var r = src.AsSpan(off + (i * len + j) * inner, inner);
                    switch (kind)
                    {
                        case ReduceKind.Sum: Elementwise.Binary<AddOp>(acc, r, acc); break;
                        case ReduceKind.Max: Elementwise.Binary<MaxOp>(acc, r, acc); break;
                        default: Elementwise.Binary<MinOp>(acc, r, acc); break;
                    }
                }
            }
        }, align: 1);
        return o;
    }

    /// <summary>Sums a (broadcast) gradient down to <paramref name="target"/>, the shape it was broadcast from.</summary>
    internal Tensor SumTo(int[] target)
    {
        int lead = Rank - target.Length;
        if (lead < 0) throw new ArgumentException($"SumTo: cannot reduce {ShapeUtil.Str(shape)} to {ShapeUtil.Str(target)}.");
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
            if (i < lead || (target[i - lead] == 1 && shape[i] != 1)) axes.Add(i);
        var r = axes.Count == 0 ? this : Sum(axes.ToArray(), keepDim: true);
        return r.Reshape(target);
    }
}
