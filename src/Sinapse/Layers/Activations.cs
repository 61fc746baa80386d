using Sinapse.IO;

namespace Sinapse.Layers;

// Activation functions as modules. Each is also a Tensor method (x.Relu()) and a function in F.
// Shape: any → same (Softmax/LogSoftmax normalise along Dim; PReLU's slopes follow dimension 1).

/// <summary>Heaviside step (the perceptron's threshold unit): 1 for x ≥ 0, else 0.</summary>
public sealed class Step : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Step(); }

/// <summary>Logistic sigmoid 1/(1+e⁻ˣ).</summary>
public sealed class Sigmoid : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Sigmoid(); }

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Tanh(); }

/// <summary>Rectified linear unit max(0, x).</summary>
public sealed class ReLU : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Relu(); }

/// <summary>ReLU capped at 6: min(max(x, 0), 6).</summary>
public sealed class ReLU6 : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Relu6(); }

/// <summary>Gaussian error linear unit x·Φ(x) (exact erf form).</summary>
public sealed class GELU : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Gelu(); }

/// <summary>SiLU, also called Swish: x·σ(x).</summary>
public sealed class SiLU : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Silu(); }

/// <summary>Mish: x·tanh(softplus(x)).</summary>
public sealed class Mish : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Mish(); }

/// <summary>Softsign: x / (1 + |x|).</summary>
public sealed class Softsign : Module<Tensor, Tensor> { public override Tensor Forward(Tensor x) => x.Softsign(); }

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
public sealed class LeakyReLU(float slope = 0.01f) : Module<Tensor, Tensor>
{
    public float Slope { get; } = slope;
    public override Tensor Forward(Tensor x) => x.LeakyRelu(Slope);
    protected override string ExtraRepr() => $"negative_slope={Slope}";
    public override LayerSpec Describe() => new("LeakyReLU", new Dictionary<string, double> { ["negative_slope"] = Slope });
}

/// <summary>Exponential linear unit: x for x &gt; 0, α(eˣ−1) otherwise.</summary>
public sealed class ELU(float alpha = 1f) : Module<Tensor, Tensor>
{
    public float Alpha { get; } = alpha;
    public override Tensor Forward(Tensor x) => x.Elu(Alpha);
    protected override string ExtraRepr() => $"alpha={Alpha}";
    public override LayerSpec Describe() => new("ELU", new Dictionary<string, double> { ["alpha"] = Alpha });
}

/// <summary>Softplus (1/β)·log(1 + e^(βx)), linear where βx exceeds the threshold.</summary>
public sealed class Softplus(float beta = 1f, float threshold = 20f) : Module<Tensor, Tensor>
{
    public float Beta { get; } = beta > 0 ? beta : throw new ArgumentOutOfRangeException(nameof(beta), beta, "Softplus: beta must be positive.");
    public float Threshold { get; } = threshold;
    public override Tensor Forward(Tensor x) => x.Softplus(Beta, Threshold);
    protected override string ExtraRepr() => $"beta={Beta}, threshold={Threshold}";
    public override LayerSpec Describe() => new("Softplus", new Dictionary<string, double> { ["beta"] = Beta, ["threshold"] = Threshold });
}

/// <summary>Hardtanh: x clipped to [min, max].</summary>
public sealed class Hardtanh : Module<Tensor, Tensor>
{
    public float Min { get; }
    public float Max { get; }
    public Hardtanh(float min = -1f, float max = 1f)
    {
        if (!(min < max)) throw new ArgumentException($"Hardtanh: min {min} must be less than max {max}.");
        Min = min; Max = max;
    }
    public override Tensor Forward(Tensor x) => x.Hardtanh(Min, Max);
    protected override string ExtraRepr() => $"min_val={Min}, max_val={Max}";
    public override LayerSpec Describe() => new("Hardtanh", new Dictionary<string, double> { ["min_val"] = Min, ["max_val"] = Max });
}

/// <summary>
/// PReLU: x for x &gt; 0, a·x otherwise, with learnable slopes a (one, or one per channel of dimension 1), initialised
/// to 0.25 as in PyTorch. Parameter "weight" of shape (numParameters).
/// </summary>
public sealed class PReLU : Module<Tensor, Tensor>
{
    public Tensor Weight { get; }
    public PReLU(int numParameters = 1, float init = 0.25f)
    {
        if (numParameters < 1) throw new ArgumentOutOfRangeException(nameof(numParameters), numParameters, "PReLU: numParameters must be at least 1.");
        Weight = RegisterParameter("weight", Tensor.Full([numParameters], init));
    }
    public override Tensor Forward(Tensor x) => x.Prelu(Weight);
    protected override string ExtraRepr() => $"num_parameters={Weight.Numel}";
    public override LayerSpec Describe() => new("PReLU", new Dictionary<string, double> { ["num_parameters"] = Weight.Numel });
}

/// <summary>Softmax along Dim: turns scores into probabilities that sum to 1.</summary>
public sealed class Softmax(int dim = -1) : Module<Tensor, Tensor>
{
    public int Dim { get; } = dim;
    public override Tensor Forward(Tensor x) => x.Softmax(Dim);
    protected override string ExtraRepr() => $"dim={Dim}";
    public override LayerSpec Describe() => new("Softmax", new Dictionary<string, double> { ["dim"] = Dim });
}

/// <summary>Log of softmax along Dim, computed stably.</summary>
public sealed class LogSoftmax(int dim = -1) : Module<Tensor, Tensor>
{
    public int Dim { get; } = dim;
    public override Tensor Forward(Tensor x) => x.LogSoftmax(Dim);
    protected override string ExtraRepr() => $"dim={Dim}";
    public override LayerSpec Describe() => new("LogSoftmax", new Dictionary<string, double> { ["dim"] = Dim });
}
