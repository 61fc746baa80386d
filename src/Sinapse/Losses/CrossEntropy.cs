namespace Sinapse.Losses;

/// <summary>
/// Binary cross-entropy on probabilities: −[t·log p + (1−t)·log(1−p)], with p clamped to [1e-7, 1−1e-7].
/// Shape: input and target equal; targets in [0, 1].
/// </summary>
public sealed class BCELoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override Tensor Forward(Tensor input, Tensor target)
    {
        SameShape("BCELoss", input, target);
        var p = input.Clamp(1e-7f, 1f - 1e-7f);
        return Reduce(-(target * p.Log() + (1f - target) * (1f - p).Log()));
    }
}

/// <summary>
/// Binary cross-entropy on logits z, stable for any z: max(z,0) − z·t + log(1 + e^−|z|).
/// Shape: input and target equal.
/// </summary>
public sealed class BCEWithLogitsLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override Tensor Forward(Tensor input, Tensor target)
    {
        SameShape("BCEWithLogitsLoss", input, target);
        var softplus = ((-input.Abs()).Exp() + 1f).Log();
        return Reduce(input.Relu() - input * target + softplus);
    }
}

/// <summary>
/// Negative log-likelihood of log-probabilities: −w[c]·logp[i, c] for the target class c of each row.
/// With class weights, the mean divides by the sum of the targets' weights (as PyTorch does).
/// </summary>
/// <remarks>Shape: input (N, C) log-probabilities; target (N) class indices stored as floats.</remarks>
public sealed class NLLLoss(Reduction reduction = Reduction.Mean, float[]? weights = null) : Loss(reduction)
{
    public float[]? Weights { get; } = weights;

    public override Tensor Forward(Tensor input, Tensor target)
    {
        var (picked, w) = CrossEntropyLoss.Pick("NLLLoss", input, target, Weights);
        return CrossEntropyLoss.WeightedReduce(-picked, w, Reduction);
    }
}

/// <summary>
/// Cross-entropy on raw scores (logits): log-softmax (stable log-sum-exp) followed by NLL. Optional class
/// weights and label smoothing ε (the target becomes (1−ε)·onehot + ε/C).
/// </summary>
/// <remarks>Shape: input (N, C) logits; target (N) class indices stored as floats.</remarks>
public sealed class CrossEntropyLoss(Reduction reduction = Reduction.Mean, float[]? weights = null, float labelSmoothing = 0f) : Loss(reduction)
{
    public float[]? Weights { get; } = weights;
    public float LabelSmoothing { get; } = labelSmoothing is >= 0 and < 1 ? labelSmoothing
        : throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "CrossEntropyLoss: label smoothing must be in [0, 1).");

    public override Tensor Forward(Tensor input, Tensor target)
    {
        if (Weights == null && LabelSmoothing == 0 && Reduction != Reduction.None && input.Rank == 2)
            return Tensor.SoftmaxCrossEntropy(input, target, Reduction == Reduction.Mean);
        var logp = input.LogSoftmax(1);
        var (picked, w) = Pick("CrossEntropyLoss", logp, target, Weights);
        var nll = WeightedReduce(-picked, w, Reduction);
        if (LabelSmoothing == 0) return nll;
        // Smoothing term: −Σ_c w_c·logp[i,c] / C per row, reduced like the NLL term.
        int c = input.Shape[1];
        var wRow = Weights != null ? Tensor.FromArray(Weights) : Tensor.Ones(c);
        var smooth = -(logp * wRow).Sum(1) / c;
        var smoothRed = WeightedReduce(smooth, w, Reduction);
        return nll * (1f - LabelSmoothing) + smoothRed * LabelSmoothing;
    }

    internal static (Tensor Picked, Tensor? Weights) Pick(string loss, Tensor logp, Tensor target, float[]? weights)
    {
        var labels = Tensor.ClassIndices(loss, logp, target);
        int c = logp.Shape[1];
        if (weights != null && weights.Length != c) throw new ArgumentException($"{loss}: {weights.Length} class weights given for {c} classes.");
        var picked = logp.Gather(1, target.Reshape(-1, 1)).Reshape(-1);
        if (weights == null) return (picked, null);
        var w = Tensor.FromArray(labels.Select(v => weights[v]).ToArray());
        return (picked * w, w);
    }

    internal static Tensor WeightedReduce(Tensor perRow, Tensor? w, Reduction r) => r switch
    {
        Reduction.Sum => perRow.Sum(),
        Reduction.None => perRow,
        _ => w == null ? perRow.Mean() : perRow.Sum() / w.Sum(),
    };
}
