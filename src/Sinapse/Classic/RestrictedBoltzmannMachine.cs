using Sinapse.Layers;
using Sinapse.Training;

namespace Sinapse.Classic;

/// <summary>
/// A Bernoulli–Bernoulli restricted Boltzmann machine (Smolensky 1986; Hinton 2002): binary visible units v and hidden
/// units h with energy E(v, h) = −bᵀv − cᵀh − hᵀWv and no connections within a layer, so p(h = 1 | v) = σ(Wv + c) and
/// p(v = 1 | h) = σ(Wᵀh + b). Trained by contrastive divergence (<see cref="RbmTask"/>); its forward pass gives the
/// hidden probabilities, the features a classifier or the next layer of a deep belief net reads.
/// </summary>
/// <remarks>
/// Shape: (N, visible) → (N, hidden). Parameters use PyTorch's Linear layout — weight (hidden, visible), hidden_bias
/// (hidden) — so a pre-trained RBM initialises a Linear layer directly.
/// </remarks>
public sealed class RestrictedBoltzmannMachine : Module<Tensor, Tensor>
{
    public Tensor Weight { get; }
    public Tensor VisibleBias { get; }
    public Tensor HiddenBias { get; }
    public int Visible { get; }
    public int Hidden { get; }

    public RestrictedBoltzmannMachine(int visible, int hidden, Generator? gen = null)
    {
        if (visible <= 0 || hidden <= 0) throw new ArgumentException($"RestrictedBoltzmannMachine: sizes {visible} and {hidden} must be positive.");
        (Visible, Hidden) = (visible, hidden);
        // Small random weights (Hinton's practical guide: N(0, 0.01²)), zero biases.
        Weight = RegisterParameter("weight", Tensor.Normal([hidden, visible], 0f, 0.01f, gen));
        VisibleBias = RegisterParameter("visible_bias", Tensor.Zeros(visible));
        HiddenBias = RegisterParameter("hidden_bias", Tensor.Zeros(hidden));
    }

    /// <summary>p(h = 1 | v) = σ(vWᵀ + c), (N, hidden).</summary>
    public Tensor HiddenProbabilities(Tensor v) => Tensor.Linear(v, Weight, HiddenBias).Sigmoid();

    /// <summary>p(v = 1 | h) = σ(hW + b), (N, visible).</summary>
    public Tensor VisibleProbabilities(Tensor h) => (h.MatMul(Weight) + VisibleBias).Sigmoid();

    public override Tensor Forward(Tensor input) => HiddenProbabilities(input);

    /// <summary>Binary samples: 1 where a uniform draw falls below the probability.</summary>
    public static Tensor Sample(Tensor probabilities, Generator gen) =>
        Tensor.Rand(probabilities.Shape, gen).Lt(probabilities);

    /// <summary>Free energy F(v) = −bᵀv − Σ_j softplus(c_j + W_j·v), per row (N); p(v) ∝ exp(−F(v)).</summary>
    public Tensor FreeEnergy(Tensor v) =>
        -(v.MatMul(VisibleBias.Unsqueeze(1)).Squeeze(1)) - Tensor.Linear(v, Weight, HiddenBias).Softplus().Sum(1);

    /// <summary>
    /// Stochastic pseudo-log-likelihood per row of binary data (Besag): for one random bit i per row,
    /// D·log σ(F(ṽ) − F(v)) with ṽ the row with bit i flipped; its mean over rows (higher is better).
    /// </summary>
    public double PseudoLogLikelihood(Tensor v, Generator gen)
    {
        using var _ = Autograd.NoGrad();
        int n = v.Shape[0];
        var flipped = v.Contiguous().ToArray();
        for (int r = 0; r < n; r++) { int i = r * Visible + gen.NextInt(Visible); flipped[i] = 1 - flipped[i]; }
        var diff = (FreeEnergy(Tensor.FromArray(flipped, n, Visible)) - FreeEnergy(v)).ToArray();
        // log σ(x) = −softplus(−x), computed stably
        return diff.Average(x => Visible * -(Math.Max(-x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)))));
    }
}

/// <summary>
/// Trains an RBM by contrastive divergence CD-k (Hinton 2002): the positive phase from the data, the negative phase
/// after k steps of Gibbs sampling started at the data — or, with <c>persistent</c>, at the chains left by the previous
/// update (PCD, Tieleman 2008). ΔW = η·(⟨h vᵀ⟩_data − ⟨h vᵀ⟩_model), with hidden probabilities in place of samples in the
/// statistics, and momentum as in Hinton's practical guide. The loss reported is the squared reconstruction error of
/// one Gibbs step; "pseudo_log_likelihood" is added per batch.
/// </summary>
public sealed class RbmTask(RestrictedBoltzmannMachine rbm, float learningRate = 0.05f, int k = 1, bool persistent = false, float momentum = 0.5f,
    Generator? gen = null) : TrainingTask<Tensor>
{
    readonly Generator gen = gen ?? new Generator(0);
    Tensor? chain;
    float[]? vW, vB, vC;

    public override Module Model => rbm;

    public override StepResult TrainStep(Tensor batch)
    {
        using var _ = Autograd.NoGrad();
        int n = batch.Shape[0];
        var v0 = batch.Reshape(n, rbm.Visible);
        var ph0 = rbm.HiddenProbabilities(v0);
        var h = RestrictedBoltzmannMachine.Sample(ph0, gen);
        var residual = rbm.VisibleProbabilities(h) - v0;
        float error = ((residual * residual).Sum() / n).Item();
        Tensor vk = v0;
        if (persistent && chain != null && chain.Shape[0] == n) h = RestrictedBoltzmannMachine.Sample(rbm.HiddenProbabilities(chain), gen);
        for (int step = 0; step < k; step++)
        {
            vk = RestrictedBoltzmannMachine.Sample(rbm.VisibleProbabilities(h), gen);
            h = RestrictedBoltzmannMachine.Sample(rbm.HiddenProbabilities(vk), gen);
        }
        if (persistent) chain = vk.Detach().Clone();
        var phk = rbm.HiddenProbabilities(vk);
        var dW = (ph0.T.MatMul(v0) - phk.T.MatMul(vk)) / n;   // (hidden, visible)
        var dB = (v0 - vk).Mean(0);
        var dC = (ph0 - phk).Mean(0);
        Apply(rbm.Weight, dW, ref vW);
        Apply(rbm.VisibleBias, dB, ref vB);
        Apply(rbm.HiddenBias, dC, ref vC);
        return new StepResult(error, n, null, new Dictionary<string, float> { ["pseudo_log_likelihood"] = (float)rbm.PseudoLogLikelihood(v0, gen) });
    }

    void Apply(Tensor p, Tensor delta, ref float[]? velocity)
    {
        velocity ??= new float[p.Numel];
        var d = delta.Contiguous().AsReadOnlySpan();
        var w = p.AsSpan();
        for (int i = 0; i < w.Length; i++)
        {
            velocity[i] = momentum * velocity[i] + learningRate * d[i];
            w[i] += velocity[i];
        }
        p.BumpVersion();
    }
}
