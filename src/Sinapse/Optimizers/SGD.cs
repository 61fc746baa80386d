using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Sinapse.Kernels;

namespace Sinapse.Optimizers;

/// <summary>
/// Stochastic gradient descent, w ← w − η·g, optionally with momentum v ← μv + g (classical or Nesterov:
/// step along g + μv) and L2 weight decay g ← g + λw.
/// </summary>
public sealed class SGD : Optimizer
{
    readonly float[]?[] velocity;
    public float Momentum { get; }
    public bool Nesterov { get; }
    public float WeightDecay { get; }

    public SGD(IEnumerable<Tensor> parameters, float lr = 0.01f, float momentum = 0f, bool nesterov = false, float weightDecay = 0f)
        : base(parameters, lr)
    {
        if (nesterov && momentum <= 0) throw new ArgumentException("SGD: Nesterov momentum needs momentum > 0.");
        Momentum = momentum; Nesterov = nesterov; WeightDecay = weightDecay;
        velocity = momentum > 0 ? NewState("momentum_buffer") : new float[]?[Params.Length];
    }

    protected override void Update(int index, int offset, Span<float> w, ReadOnlySpan<float> g)
    {
        float lr = LearningRate, mu = Momentum, wd = WeightDecay;
        // first step: v = g; then v = μv + g. Written as v = μ'·v + g with μ' = 0 on the first step.
        bool hasV = mu != 0;
        var v = hasV ? State(velocity, index, offset, w.Length) : Span<float>.Empty;
        float mu1 = StepCount == 1 ? 0f : mu;
        bool nesterov = Nesterov;
        int i = 0;
        if (SimdWidth.UseVectors)
        {
            ref float rw = ref MemoryMarshal.GetReference(w);
            ref float rg = ref MemoryMarshal.GetReference(g);
            ref float rv = ref MemoryMarshal.GetReference(v);
            var vlr = Vector256.Create(lr); var vwd = Vector256.Create(wd); var vmu = Vector256.Create(mu); var vmu1 = Vector256.Create(mu1);
            for (; i <= w.Length - 8; i += 8)
            {
                var wv = Vector256.LoadUnsafe(ref rw, (nuint)i);
                var gi = Vector256.LoadUnsafe(ref rg, (nuint)i) + vwd * wv;
                if (!hasV) { (wv - vlr * gi).StoreUnsafe(ref rw, (nuint)i); continue; }
                var vv = vmu1 * Vector256.LoadUnsafe(ref rv, (nuint)i) + gi;
                vv.StoreUnsafe(ref rv, (nuint)i);
                (wv - vlr * (nesterov ? gi + vmu * vv : vv)).StoreUnsafe(ref rw, (nuint)i);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i] + wd * w[i];
            if (!hasV) { w[i] -= lr * gi; continue; }
            v[i] = mu1 * v[i] + gi;
            w[i] -= lr * (nesterov ? gi + mu * v[i] : v[i]);
        }
    }
}
