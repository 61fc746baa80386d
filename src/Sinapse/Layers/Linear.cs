using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// Fully connected layer y = x·Wᵀ + b: every output neuron is a weighted sum of all inputs plus a bias.
/// Initialised like PyTorch: W and b uniform in ±1/√in_features.
/// </summary>
/// <remarks>Shape: input (…, in_features) → output (…, out_features). Weight (out, in); bias (out).</remarks>
public sealed class Linear : Module<Tensor, Tensor>
{
    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? gen = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentException($"Linear: feature counts must be positive, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures; OutFeatures = outFeatures;
        float bound = 1f / MathF.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", Tensor.Uniform([outFeatures, inFeatures], -bound, bound, gen));
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outFeatures], -bound, bound, gen));
    }

    public override Tensor Forward(Tensor input) => Tensor.Linear(input, Weight, Bias);

    /// <summary>Forward, then ReLU, as one op (see <see cref="Sequential.Forward"/>).</summary>
    internal Tensor ForwardRelu(Tensor input) => Tensor.Linear(input, Weight, Bias, relu: true);

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias != null ? "True" : "False")}";

    public override LayerSpec Describe() => new("Linear", new Dictionary<string, double>
        { ["in_features"] = InFeatures, ["out_features"] = OutFeatures, ["bias"] = Bias != null ? 1 : 0 });
}
