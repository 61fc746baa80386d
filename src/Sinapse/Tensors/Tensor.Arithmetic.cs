using Sinapse.Kernels;

namespace Sinapse;

// Broadcasting element-wise arithmetic. Each op's backward sits beside its forward; gradients may come back in
// the broadcast shape and the engine sums them down to each input's shape.
public sealed partial class Tensor
{
    /// <summary>a + b with broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b) =>
        Autograd.Record(ApplyBinary<AddOp>(a, b, "Add"), "Add", [a, b], g => [g, g]);

    /// <summary>a − b with broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b) =>
        Autograd.Record(ApplyBinary<SubOp>(a, b, "Sub"), "Sub", [a, b], g => [g, b.RequiresGrad ? -g : null]);

    /// <summary>a × b (element-wise) with broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b) =>
        Autograd.Record(ApplyBinary<MulOp>(a, b, "Mul"), "Mul", [a, b], g =>
            [a.RequiresGrad ? g * b : null, b.RequiresGrad ? g * a : null]);

    /// <summary>a ÷ b (element-wise) with broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b) =>
        Autograd.Record(ApplyBinary<DivOp>(a, b, "Div"), "Div", [a, b], g =>
            [a.RequiresGrad ? g / b : null, b.RequiresGrad ? -g * a / (b * b) : null]);

    /// <summary>a ** b (element-wise) with broadcasting. d/da = b·a^(b−1); d/db = a^b·ln a.</summary>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        var o = ApplyBinary<PowOp>(a, b, "Pow");
        return Autograd.Record(o, "Pow", [a, b], g =>
            [a.RequiresGrad ? g * b * Pow(a, b - 1f) : null, b.RequiresGrad ? g * o * a.Log() : null]);
    }

    /// <summary>This tensor raised to a constant power.</summary>
    public Tensor Pow(float exponent) => Pow(this, Scalar(exponent));

    /// <summary>Element-wise maximum of a and b; the gradient goes to the larger input (to a on ties).</summary>
    public static Tensor Maximum(Tensor a, Tensor b) =>
        Autograd.Record(ApplyBinary<MaxOp>(a, b, "Maximum"), "Maximum", [a, b], g =>
        {
            var mask = ApplyBinary<GreaterEqualOp>(a, b, "Maximum");
            return [g * mask, g * (1f - mask)];
        });

    /// <summary>Element-wise minimum of a and b; the gradient goes to the smaller input (to a on ties).</summary>
    public static Tensor Minimum(Tensor a, Tensor b) =>
        Autograd.Record(ApplyBinary<MinOp>(a, b, "Minimum"), "Minimum", [a, b], g =>
        {
            var mask = ApplyBinary<LessEqualOp>(a, b, "Minimum");
            return [g * mask, g * (1f - mask)];
        });

    // Comparisons: 1 where true, 0 where false; not differentiable.
    public Tensor Gt(Tensor o) => ApplyBinary<GreaterOp>(this, o, "Gt");
    public Tensor Lt(Tensor o) => ApplyBinary<LessOp>(this, o, "Lt");
    public Tensor Ge(Tensor o) => ApplyBinary<GreaterEqualOp>(this, o, "Ge");
    public Tensor Le(Tensor o) => ApplyBinary<LessEqualOp>(this, o, "Le");
    public Tensor Eq(Tensor o) => ApplyBinary<EqualOp>(this, o, "Eq");
    public Tensor Ne(Tensor o) => ApplyBinary<NotEqualOp>(this, o, "Ne");
    public Tensor Gt(float v) => Gt(Scalar(v));
    public Tensor Lt(float v) => Lt(Scalar(v));
    public Tensor Ge(float v) => Ge(Scalar(v));
    public Tensor Le(float v) => Le(Scalar(v));
    public Tensor Eq(float v) => Eq(Scalar(v));
    public Tensor Ne(float v) => Ne(Scalar(v));

    /// <summary>
    /// Picks <paramref name="a"/> where <paramref name="condition"/> is non-zero, else <paramref name="b"/>, with
    /// broadcasting over all three. Gradients flow to the branch that was picked.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(condition.shape, a.shape, "Where"), b.shape, "Where");
        var c = condition.BroadcastTo(shape).NoGraph().Contiguous().data;
        var av = a.NoGraph().BroadcastTo(shape).Contiguous().data;
        var bv = b.NoGraph().BroadcastTo(shape).Contiguous().data;
        var o = new Tensor(shape);
        var od = o.data;
        for (int i = 0; i < od.Length; i++) od[i] = c[i] != 0 ? av[i] : bv[i];
        return Autograd.Record(o, "Where", [a, b], g =>
        {
            var zero = Zeros(1);
            return [a.RequiresGrad ? Where(condition, g, zero) : null, b.RequiresGrad ? Where(condition, zero, g) : null];
        });
    }

    /// <summary>Limits every element to [min, max]; the gradient is zero where the input was clipped.</summary>
    public Tensor Clamp(float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        if (min > max) throw new ArgumentException($"Clamp: min {min} is greater than max {max}.");
        var x = this;
        var o = ApplyBinary<MinOp>(ApplyBinary<MaxOp>(x, Scalar(min), "Clamp"), Scalar(max), "Clamp");
        return Autograd.Record(o, "Clamp", [x], g => [g * (x.Ge(min) * x.Le(max))]);
    }

    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    public static Tensor operator +(Tensor a, float b) => Add(a, Scalar(b));
    public static Tensor operator -(Tensor a, float b) => Sub(a, Scalar(b));
    public static Tensor operator *(Tensor a, float b) => Mul(a, Scalar(b));
    public static Tensor operator /(Tensor a, float b) => Div(a, Scalar(b));
    public static Tensor operator +(float a, Tensor b) => Add(Scalar(a), b);
    public static Tensor operator -(float a, Tensor b) => Sub(Scalar(a), b);
    public static Tensor operator *(float a, Tensor b) => Mul(Scalar(a), b);
    public static Tensor operator /(float a, Tensor b) => Div(Scalar(a), b);
    public static Tensor operator -(Tensor a) => a.Neg();
}
