using Sinapse.Kernels;

namespace Sinapse;

// Element-wise functions of one tensor, forward and backward side by side.
public sealed partial class Tensor
{
    /// <summary>−x.</summary>
    public Tensor Neg() => Autograd.Record(ApplyUnary<NegOp>(this), "Neg", [this], g => [ApplyUnary<NegOp>(g)]);

    /// <summary>eˣ; d/dx = eˣ.</summary>
    public Tensor Exp()
    {
        var o = ApplyUnary<ExpOp>(this);
        return Autograd.Record(o, "Exp", [this], g => [g * o]);
    }

    /// <summary>Natural logarithm; d/dx = 1/x.</summary>
    public Tensor Log()
    {
        var x = this;
        return Autograd.Record(ApplyUnary<LogOp>(x), "Log", [x], g => [g / x]);
    }

    /// <summary>√x; d/dx = 1/(2√x).</summary>
    public Tensor Sqrt()
    {
        var o = ApplyUnary<SqrtOp>(this);
        return Autograd.Record(o, "Sqrt", [this], g => [g * 0.5f / o]);
    }

    /// <summary>|x|; d/dx = sign(x) (0 at 0).</summary>
    public Tensor Abs()
    {
        var x = this;
        return Autograd.Record(ApplyUnary<AbsOp>(x), "Abs", [x], g => [g * (x.Gt(0f) - x.Lt(0f))]);
    }

    /// <summary>max(x, 0); d/dx = 1 where x &gt; 0.</summary>
    public Tensor Relu()
    {
        var x = this;
        return Autograd.Record(ApplyUnary<ReluOp>(x), "Relu", [x], g => [ApplyBinary<ReluGradOp>(x, g, "ReluBackward")]);
    }

    /// <summary>Heaviside step: 1 where x ≥ 0, else 0. Its derivative is 0 wherever it exists.</summary>
    public Tensor Step()
    {
        var x = this;
        return Autograd.Record(ApplyUnary<StepOp>(x), "Step", [x], g => [ZerosLike(x)]);
    }

    /// <summary>σ(x) = 1/(1+e⁻ˣ); d/dx = σ(1−σ).</summary>
    public Tensor Sigmoid()
    {
        var o = ApplyUnary<SigmoidOp>(this);
        return Autograd.Record(o, "Sigmoid", [this], g => [g * o * (1f - o)]);
    }

    /// <summary>tanh x; d/dx = 1 − tanh².</summary>
    public Tensor Tanh()
    {
        var o = ApplyUnary<TanhOp>(this);
        return Autograd.Record(o, "Tanh", [this], g => [g * (1f - o * o)]);
    }

    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    public Tensor LeakyRelu(float slope = 0.01f)
    {
        var x = this;
        var pos = x.NoGraph().Gt(0f);
        var factor = pos + (1f - pos) * slope;
        return Autograd.Record(ApplyBinary<MulOp>(x, factor, "LeakyRelu"), "LeakyRelu", [x], g => [g * factor]);
    }

    /// <summary>ELU: x for x &gt; 0, α(eˣ − 1) otherwise.</summary>
    public Tensor Elu(float alpha = 1f)
    {
        var x = this.NoGraph();
        var pos = x.Gt(0f);
        var e = ApplyUnary<ExpOp>(ApplyBinary<MinOp>(x, Scalar(0f), "Elu"));
        var o = pos * x + (1f - pos) * (e - 1f) * alpha;
        return Autograd.Record(o, "Elu", [this], g => [g * (pos + (1f - pos) * e * alpha)]);
    }

    /// <summary>GELU, exact form x·Φ(x) with Φ the standard normal CDF; d/dx = Φ(x) + x·φ(x).</summary>
    public Tensor Gelu()
    {
        var x = this.NoGraph().Contiguous();
        var xs = x.data.AsSpan(x.offset, x.Numel);
        var o = new Tensor((int[])shape.Clone());
        var d = new Tensor((int[])shape.Clone());
        for (int i = 0; i < xs.Length; i++)
        {
            float v = xs[i];
            float cdf = 0.5f * (1f + SpecialFunctions.Erf(v * 0.70710678f));
            float pdf = 0.39894228f * MathF.Exp(-0.5f * v * v);
            o.data[i] = v * cdf;
            d.data[i] = cdf + v * pdf;
        }
        return Autograd.Record(o, "Gelu", [this], g => [g * d]);
    }
}

internal static class SpecialFunctions
{
    /// <summary>Error function, computed in double precision (|error| &lt; 1.2e-7, Numerical Recipes' erfc).</summary>
    public static float Erf(float x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                   t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                   t * (-0.82215223 + t * 0.17087277)))))))));
        double erf = 1.0 - r;
        return (float)(x >= 0 ? erf : -erf);
    }
}
