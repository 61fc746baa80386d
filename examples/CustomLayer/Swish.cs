using Sinapse;
using Sinapse.IO;
using Sinapse.Layers;

namespace CustomLayer;

/// <summary>
/// A differentiable op defined outside the library: Swish with a slope, y = x·σ(βx). Its forward and backward sit side
/// by side; what the backward reads (x, σ(βx), β) is what it saves.
/// </summary>
public static class SwishOp
{
    /// <summary>y = x·σ(βx). Shape: x any, beta (1) → the shape of x.</summary>
    public static Tensor Apply(Tensor x, Tensor beta)
    {
        Tensor s, y;
        using (Autograd.NoGrad())
        {
            s = (x * beta).Sigmoid();   // σ(βx), saved for backward
            y = x * s;
        }
        // dy/dx = σ + βx·σ(1 − σ);  dy/dβ = x²·σ(1 − σ)
        return Autograd.Record(y, "Swish", [x, beta], g =>
        {
            var ds = s * (1f - s);
            return [g * (s + x * beta * ds), g * x * x * ds];
        });
    }
}

/// <summary>
/// A layer of one's own: Swish with a learnable slope β (parameter "beta", shape (1)) and a buffer "calls" that counts
/// the training-mode forward passes (saved and loaded with the weights). Shape: any → same.
/// </summary>
public sealed class Swish : Module<Tensor, Tensor>
{
    public Tensor Beta { get; }

    public Swish(float beta = 1f)
    {
        Beta = RegisterParameter("beta", Tensor.Full([1], beta));
        RegisterBuffer("calls", Tensor.Zeros(1));
    }

    /// <summary>Training-mode forward passes seen so far.</summary>
    public float Calls => NamedBuffers().First(b => b.Name == "calls").Buffer.Item();

    public override Tensor Forward(Tensor x)
    {
        if (Training)
        {
            var calls = NamedBuffers().First(b => b.Name == "calls").Buffer;
            calls[0] = calls[0] + 1;
        }
        return SwishOp.Apply(x, Beta);
    }

    protected override string ExtraRepr() => $"beta={Beta.Item():G4}";

    /// <summary>Its model.json entry; <see cref="Register"/> lets model.json build it again.</summary>
    public override LayerSpec Describe() => new("Swish", new Dictionary<string, double> { ["beta"] = Beta.Item() });

    /// <summary>Lets model.json name "Swish".</summary>
    public static void Register() => ModuleRegistry.Register("Swish", (spec, _) => new Swish(spec.Float("beta", 1f)));
}
