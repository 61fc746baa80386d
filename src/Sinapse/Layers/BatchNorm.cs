using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// Batch normalisation over channel axis 1 with a learnable scale (weight, γ = 1) and shift (bias, β = 0), and the
/// running mean and variance as buffers (saved with the parameters, as PyTorch's running_mean, running_var and
/// num_batches_tracked). Training normalises with the batch's statistics and updates the running ones; evaluation uses
/// the running ones. See <see cref="Tensor.BatchNorm"/>.
/// </summary>
public abstract class BatchNormBase : Module<Tensor, Tensor>
{
    public int NumFeatures { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public Tensor NumBatchesTracked { get; }

    private protected BatchNormBase(int numFeatures, float eps, float momentum)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{GetType().Name}: num_features {numFeatures} must be positive.");
        if (!(eps > 0) || !(momentum is >= 0 and <= 1)) throw new ArgumentException($"{GetType().Name}: eps {eps} must be positive and momentum {momentum} in [0, 1].");
        NumFeatures = numFeatures; Eps = eps; Momentum = momentum;
        Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
        Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures))!;
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures))!;
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0))!;
    }

    private protected abstract string Expected { get; }
    private protected abstract bool Accepts(Tensor input);

    public override Tensor Forward(Tensor input)
    {
        if (!Accepts(input) || input.Shape[1] != NumFeatures)
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): input {ShapeUtil.Str(input.Shape)} must be {Expected}.");
        if (Training)
        {
            using (Autograd.NoGrad()) NumBatchesTracked.AsSpan()[0] += 1;
        }
        return Tensor.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, Training, Momentum, Eps);
    }

    protected override string ExtraRepr() => $"{NumFeatures}, eps={Eps}, momentum={Momentum}";
    public override LayerSpec Describe() => new(GetType().Name, new Dictionary<string, double> { ["num_features"] = NumFeatures, ["eps"] = Eps, ["momentum"] = Momentum });
}

/// <summary>Batch normalisation of (N, C) or (N, C, L) inputs, per feature C.</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f) : BatchNormBase(numFeatures, eps, momentum)
{
    private protected override string Expected => $"(N, {NumFeatures}) or (N, {NumFeatures}, L)";
    private protected override bool Accepts(Tensor input) => input.Rank is 2 or 3;
}

/// <summary>Batch normalisation of (N, C, H, W) inputs, per channel C (statistics over N, H and W).</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f) : BatchNormBase(numFeatures, eps, momentum)
{
    private protected override string Expected => $"(N, {NumFeatures}, H, W)";
    private protected override bool Accepts(Tensor input) => input.Rank == 4;
}
