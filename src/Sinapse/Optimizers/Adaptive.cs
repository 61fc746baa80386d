using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Sinapse.Kernels;

namespace Sinapse.Optimizers;

/// <summary>Adagrad: per-weight rate η/√(Σg² + ε); large past gradients slow a weight down.</summary>
public sealed class Adagrad : Optimizer
{
    readonly float[]?[] sum;
    public float Epsilon { get; }
    public float WeightDecay { get; }

    public Adagrad(IEnumerable<Tensor> parameters, float lr = 0.01f, float eps = 1e-10f, float weightDecay = 0f) : base(parameters, lr)
    {
        Epsilon = eps; WeightDecay = weightDecay; sum = NewState("sum");
    }

    protected override void Update(int index, int offset, Span<float> w, ReadOnlySpan<float> g)
    {
        var s = State(sum, index, offset, w.Length);
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i] + WeightDecay * w[i];
            s[i] += gi * gi;
            w[i] -= LearningRate * gi / (MathF.Sqrt(s[i]) + Epsilon);
        }
    }
}

/// <summary>RMSprop: divides by a running root-mean-square of gradients, E[g²] ← αE[g²] + (1−α)g².</summary>
public sealed class RMSprop : Optimizer
{
    readonly float[]?[] square, buf;
    public float Alpha { get; }
    public float Epsilon { get; }
    public float Momentum { get; }
    public float WeightDecay { get; }

    public RMSprop(IEnumerable<Tensor> parameters, float lr = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float momentum = 0f, float weightDecay = 0f)
        : base(parameters, lr)
    {
        Alpha = alpha; Epsilon = eps; Momentum = momentum; WeightDecay = weightDecay;
        square = NewState("square_avg"); buf = momentum > 0 ? NewState("momentum_buffer") : new float[]?[Params.Length];
    }

    protected override void Update(int index, int offset, Span<float> w, ReadOnlySpan<float> g)
    {
        var s = State(square, index, offset, w.Length);
        bool hasB = Momentum > 0;
        var b = hasB ? State(buf, index, offset, w.Length) : Span<float>.Empty;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i] + WeightDecay * w[i];
            s[i] = Alpha * s[i] + (1 - Alpha) * gi * gi;
            float step = gi / (MathF.Sqrt(s[i]) + Epsilon);
            if (hasB) { b[i] = Momentum * b[i] + step; step = b[i]; }
            w[i] -= LearningRate * step;
        }
    }
}

/// <summary>
/// Adam: bias-corrected running means of the gradient (m) and its square (v); w ← w − η·m̂/(√v̂ + ε).
/// Weight decay here is L2 added to the gradient; see <see cref="AdamW"/> for decoupled decay.
/// </summary>
public class Adam : Optimizer
{
    readonly float[]?[] m, v;
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public float WeightDecay { get; }
    protected virtual bool Decoupled => false;

    public Adam(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : base(parameters, lr)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = eps; WeightDecay = weightDecay;
        m = NewState("exp_avg"); v = NewState("exp_avg_sq");
    }

    protected override void Update(int index, int offset, Span<float> w, ReadOnlySpan<float> g)
    {
        var mi = State(m, index, offset, w.Length); var vi = State(v, index, offset, w.Length);
        float b1 = Beta1, b2 = Beta2, lr = LearningRate, wd = WeightDecay, eps = Epsilon;
        float c1 = 1f - MathF.Pow(b1, StepCount), c2 = 1f - MathF.Pow(b2, StepCount);
        float stepSize = lr / c1, rc2 = 1f / MathF.Sqrt(c2);
        bool decoupled = Decoupled;
        float lrwd = lr * wd, a1 = 1 - b1, a2 = 1 - b2;
        int i = 0;
        if (SimdWidth.UseVectors)
        {
            // The same arithmetic, in the same order, eight weights at a time (no FMA contraction, so the
            // vector lanes and the scalar tail give identical results).
            ref float rw = ref MemoryMarshal.GetReference(w);
            ref float rg = ref MemoryMarshal.GetReference(g);
            ref float rm = ref MemoryMarshal.GetReference(mi);
            ref float rv = ref MemoryMarshal.GetReference(vi);
            var vb1 = Vector256.Create(b1); var vb2 = Vector256.Create(b2); var va1 = Vector256.Create(a1); var va2 = Vector256.Create(a2);
            var vlrwd = Vector256.Create(lrwd); var vwd = Vector256.Create(wd); var vstep = Vector256.Create(stepSize);
            var vrc2 = Vector256.Create(rc2); var veps = Vector256.Create(eps);
            for (; i <= w.Length - 8; i += 8)
            {
                var wv = Vector256.LoadUnsafe(ref rw, (nuint)i);
                var gv = Vector256.LoadUnsafe(ref rg, (nuint)i);
                if (decoupled) wv -= vlrwd * wv; else gv += vwd * wv;
                var mv = vb1 * Vector256.LoadUnsafe(ref rm, (nuint)i) + va1 * gv;
                var vv = vb2 * Vector256.LoadUnsafe(ref rv, (nuint)i) + va2 * gv * gv;
                mv.StoreUnsafe(ref rm, (nuint)i); vv.StoreUnsafe(ref rv, (nuint)i);
                (wv - vstep * mv / (Vector256.Sqrt(vv) * vrc2 + veps)).StoreUnsafe(ref rw, (nuint)i);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            if (decoupled) w[i] -= lrwd * w[i]; else gi += wd * w[i];
            mi[i] = b1 * mi[i] + a1 * gi;
            vi[i] = b2 * vi[i] + a2 * gi * gi;
            w[i] -= stepSize * mi[i] / (MathF.Sqrt(vi[i]) * rc2 + eps);
        }
    }
}

/// <summary>AdamW: Adam with decoupled weight decay w ← w − η·λ·w (Loshchilov &amp; Hutter). Default λ = 0.01.</summary>
public sealed class AdamW(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
    : Adam(parameters, lr, beta1, beta2, eps, weightDecay)
{
    protected override bool Decoupled => true;
}
