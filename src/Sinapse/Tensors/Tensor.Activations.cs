namespace Sinapse;

// Activations beyond the classic ones, each forward and its derivative computed in one pass; backward is g·f'(x).
public sealed partial class Tensor
{
    /// <summary>
    /// Element-wise f with its derivative: <paramref name="f"/> returns (f(x), f'(x)); the derivatives are saved
    /// for backward, which returns g·f'(x).
    /// </summary>
    Tensor Pointwise(string op, Func<float, (float Y, float D)> f)
    {
        var x = IsContiguous ? this : NoGraph().Contiguous();
        var o = Uninitialized((int[])shape.Clone());
        bool record = Autograd.WillRecord(this);
        var d = record ? Uninitialized((int[])shape.Clone()) : null;
        var xs = x.data.AsSpan(x.offset, Numel);
        var os = o.data.AsSpan(0, Numel);
        for (int i = 0; i < xs.Length; i++)
        {
            var (y, dy) = f(xs[i]);
            os[i] = y;
            if (d != null) d.data[i] = dy;
        }
        return Autograd.Record(o, op, [this], g => [g * d!]);
    }

    static float Sigma(float v) => 1f / (1f + MathF.Exp(-v));

    /// <summary>
    /// Softplus (1/β)·log(1 + e^(βx)), a smooth ReLU; where βx &gt; <paramref name="threshold"/> it is x (as in
    /// PyTorch, for stability). d/dx = σ(βx).
    /// </summary>
    public Tensor Softplus(float beta = 1f, float threshold = 20f)
    {
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "Softplus: beta must be positive.");
        return Pointwise("Softplus", v =>
        {
            float bv = beta * v;
            if (bv > threshold) return (v, 1f);
            return (MathF.Log(1f + MathF.Exp(bv)) / beta, Sigma(bv));
        });
    }

    /// <summary>SiLU (Swish) x·σ(x); d/dx = σ(x)·(1 + x·(1 − σ(x))).</summary>
    public Tensor Silu() => Pointwise("Silu", v =>
    {
        float s = Sigma(v);
        return (v * s, s * (1f + v * (1f - s)));
    });

    /// <summary>Mish x·tanh(softplus(x)); d/dx = tanh(sp) + x·σ(x)·(1 − tanh²(sp)).</summary>
    public Tensor Mish() => Pointwise("Mish", v =>
    {
        float sp = v > 20f ? v : MathF.Log(1f + MathF.Exp(v));
        float t = MathF.Tanh(sp);
        return (v * t, t + v * Sigma(v) * (1f - t * t));
    });

    /// <summary>Softsign x / (1 + |x|); d/dx = 1 / (1 + |x|)².</summary>
    public Tensor Softsign() => Pointwise("Softsign", v =>
    {
        float a = 1f + MathF.Abs(v);
        return (v / a, 1f / (a * a));
    });

    /// <summary>
    /// Hardtanh: x clipped to [min, max]; the gradient is 1 strictly inside and 0 outside and at the edges (as in PyTorch).
    /// </summary>
    public Tensor Hardtanh(float min = -1f, float max = 1f)
    {
        if (!(min < max)) throw new ArgumentException($"Hardtanh: min {min} must be less than max {max}.");
        return Pointwise("Hardtanh", v => (Math.Clamp(v, min, max), v > min && v < max ? 1f : 0f));
    }

    /// <summary>ReLU6 min(max(x, 0), 6) (Hardtanh on [0, 6]).</summary>
    public Tensor Relu6() => Hardtanh(0f, 6f);

    /// <summary>
    /// PReLU: x where x &gt; 0, a·x elsewhere, with a learnable slope <paramref name="weight"/> of shape (1) (one slope)
    /// or (C) (one per channel, the input's dimension 1). d/dx = 1 or a; d/da = Σ x·g over the elements where x ≤ 0.
    /// </summary>
    /// <remarks>Shape: input (N, C, …) or any shape with a single slope; weight (1) or (C).</remarks>
    public Tensor Prelu(Tensor weight)
    {
        if (weight.Rank != 1) throw new ArgumentException($"PReLU: weight must be 1-D (1) or (C), got {ShapeUtil.Str(weight.shape)}.");
        int c = weight.shape[0];
        if (c != 1 && (Rank < 2 || shape[1] != c))
            throw new ArgumentException($"PReLU: {c} slopes need an input whose dimension 1 has {c} channels, got {ShapeUtil.Str(shape)}.");
        // The slope broadcast over the input: (C) → (1, C, 1, …).
        var wShape = new int[Math.Max(Rank, 1)];
        Array.Fill(wShape, 1);
        if (c != 1) wShape[1] = c;
        var a = weight.Reshape(wShape);
        var x = this;
        var pos = x.NoGraph().Gt(0f);
        var o = x.NoGraph() * (pos + (1f - pos) * a.NoGraph());
        return Autograd.Record(o, "Prelu", [x, weight], g =>
        {
            var gx = x.RequiresGrad ? g * (pos + (1f - pos) * a.NoGraph()) : null;
            Tensor? gw = null;
            if (weight.RequiresGrad)
            {
                var contrib = g * x.NoGraph() * (1f - pos); // broadcast shape of the input
                gw = c == 1 ? contrib.Sum().Reshape(1) : contrib.SumTo(wShape).Reshape(c);
            }
            return [gx, gw];
        });
    }
}
