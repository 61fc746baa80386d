namespace Sinapse.Layers;

// Activation functions as modules. Each is also a Tensor method (x.Relu()) and a function in F.
// Shape: any → same (Softmax/LogSoftmax normalise along Dim).

/// <summary>Heaviside step (the perceptron's threshold unit): 1 for x ≥ 0, else 0.</summary>
public sealed class Step : Module { protected internal override bool KeepsNoActivations => true; public override Tensor Forward(Tensor x) => x.Step(); }

/// <summary>Logistic sigmoid 1/(1+e⁻ˣ).</summary>
public sealed class Sigmoid : Module { protected internal override bool KeepsNoActivations => true; public override Tensor Forward(Tensor x) => x.Sigmoid(); }

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module { protected internal override bool KeepsNoActivations => true; public override Tensor Forward(Tensor x) => x.Tanh(); }

/// <summary>Rectified linear unit max(0, x).</summary>
public sealed class ReLU : Module { protected internal override bool KeepsNoActivations => true; public override Tensor Forward(Tensor x) => x.Relu(); }

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
public sealed class LeakyReLU(float slope = 0.01f) : Module
{
    protected internal override bool KeepsNoActivations => true;
    public float Slope { get; } = slope;
    public override Tensor Forward(Tensor x) => x.LeakyRelu(Slope);
    protected override string ExtraRepr() => $"negative_slope={Slope}";
}

/// <summary>Exponential linear unit: x for x &gt; 0, α(eˣ−1) otherwise.</summary>
public sealed class ELU(float alpha = 1f) : Module
{
    protected internal override bool KeepsNoActivations => true;
    public float Alpha { get; } = alpha;
    public override Tensor Forward(Tensor x) => x.Elu(Alpha);
    protected override string ExtraRepr() => $"alpha={Alpha}";
}

/// <summary>Gaussian error linear unit x·Φ(x) (exact erf form).</summary>
public sealed class GELU : Module { protected internal override bool KeepsNoActivations => true; public override Tensor Forward(Tensor x) => x.Gelu(); }

/// <summary>Softmax along Dim: turns scores into probabilities that sum to 1.</summary>
public sealed class Softmax(int dim = -1) : Module
{
    protected internal override bool KeepsNoActivations => true;
    public int Dim { get; } = dim;
    public override Tensor Forward(Tensor x) => x.Softmax(Dim);
    protected override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>Log of softmax along Dim, computed stably.</summary>
public sealed class LogSoftmax(int dim = -1) : Module
{
    protected internal override bool KeepsNoActivations => true;
    public int Dim { get; } = dim;
    public override Tensor Forward(Tensor x) => x.LogSoftmax(Dim);
    protected override string ExtraRepr() => $"dim={Dim}";
}
