namespace Sinapse.Layers;

/// <summary>
/// Fully connected layer y = x·Wᵀ + b: every output neuron is a weighted sum of all inputs plus a bias.
/// Initialised like PyTorch: W and b uniform in ±1/√in_features.
/// </summary>
/// <remarks>Shape: input (…, in_features) → output (…, out_features). Weight (out, in); bias (out).</remarks>
public sealed class Linear : Module
{
    protected internal override bool KeepsNoActivations => true;
    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? gen = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentException($"Linear: feature counts must be positive, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures; OutFeatures = outFeatures;
        float bound = 1f / MathF.Sqrt(inFeatures);
        // Parameters live as long as the model: long-lived storage, never promoted through the GC's generations.
        Weight = RegisterParameter("weight", Tensor.Uniform([outFeatures, inFeatures], -bound, bound, gen).LongLivedCopy());
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outFeatures], -bound, bound, gen).LongLivedCopy());
    }

    public override Tensor Forward(Tensor input) => Tensor.Linear(input, Weight, Bias, relu: false, Inference);

    /// <summary>relu(Forward(input)) as one fused op (used by <see cref="Sequential"/> for Linear → ReLU).</summary>
    internal Tensor ForwardRelu(Tensor input) => Tensor.Linear(input, Weight, Bias, relu: true, Inference);

    /// <summary>The weight packed for single-sample inference, made on first use (see <see cref="Kernels.PackedWeights"/>).</summary>
    internal Kernels.PackedWeights Inference { get; } = new();

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias != null ? "True" : "False")}";
}
