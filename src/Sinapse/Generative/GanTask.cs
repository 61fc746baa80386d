using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Generative;

/// <summary>
/// The minimax game as a training step (Keras's overridable train_step), so Fit's progress bar, callbacks, history and
/// resumable checkpoints work for GANs. Per batch: the discriminator learns real from fake (real labels smoothed to
/// <see cref="RealLabel"/>, Salimans et al. 2016), then the generator learns to fool it with the non-saturating loss
/// −log D(G(z)) (Goodfellow et al.), which keeps its gradient alive while D still wins easily. The reported loss is the
/// generator's; the metrics add d_loss and D's mean probabilities on real and fake batches. A conditional GAN sees each
/// real image with its label, and draws its fakes for labels chosen uniformly at random. An InfoGAN draws a code per
/// fake the same way, and both players also minimise the cross-entropy of D's code logits against it (metric info_loss).
/// </summary>
public sealed class GanTask(Gan gan, Optimizer generatorOptimizer, Optimizer discriminatorOptimizer, Generator noise, float realLabel = 0.9f)
    : TrainingTask<(Tensor Input, Tensor Target)>
{
    readonly BCEWithLogitsLoss bce = new();
    readonly CrossEntropyLoss codeLoss = new();
    Tensor[]? discriminatorWeights;
    readonly NoiseState noiseState = new(noise);

    public float RealLabel { get; } = realLabel;

    /// <summary>
    /// An InfoGAN's weight λ on the code's cross-entropy (the mutual-information bound), added to the discriminator's
    /// loss (on the detached fakes) and to the generator's. Default 1, as Chen et al. use for categorical codes.
    /// </summary>
    public float InfoWeight { get; init; } = 1f;

    /// <summary>Generator updates per discriminator update (each on fresh noise), for when the discriminator wins too easily.</summary>
    public int GeneratorSteps { get; init; } = 1;
    public override Module Model => gan;

    /// <summary>When set, the generator's weights are averaged after each of its steps (sample with <see cref="WeightAverage.Apply"/>).</summary>
    public WeightAverage? GeneratorAverage { get; init; }

    public override IEnumerable<(string Key, IStateful Part)> StateParts =>
        GeneratorAverage is { } average
            ? [("optimizer_g", generatorOptimizer), ("optimizer_d", discriminatorOptimizer), ("noise", noiseState), ("generator_average", average)]
            : [("optimizer_g", generatorOptimizer), ("optimizer_d", discriminatorOptimizer), ("noise", noiseState)];

    public override StepResult TrainStep((Tensor Input, Tensor Target) batch)
    {
        var real = batch.Input;
        int n = real.Shape[0];
        var z = Noise(n);
        Tensor realLabels = batch.Target, fakeLabels = realLabels;
        if (gan.Categories > 0)
        {
            // In data-parallel training every process draws the whole batch's labels and keeps its own rows.
            var (rank, size) = (Communicator.Rank, Communicator.Size);
            var y = new float[n];
            for (int i = 0; i < n * size; i++)
            {
                int label = noise.NextInt(gan.Categories);
                if (i / n == rank) y[i - rank * n] = label;
            }
            fakeLabels = Tensor.FromArray(y, n);
        }
        var fake = gan.Generator.Call(gan.GeneratorInput(z, fakeLabels));

        discriminatorOptimizer.ZeroGrad();
        var (dReal, _) = Discriminate(real, realLabels);
        var (dFake, codeFake) = Discriminate(fake.Detach(), fakeLabels);
        var lossD = bce.Call(dReal, Tensor.Full([n, 1], RealLabel)) + bce.Call(dFake, Tensor.Zeros(n, 1));
        float dLoss = lossD.Item(), pReal = dReal.Sigmoid().Mean().Item(), pFake = dFake.Sigmoid().Mean().Item(), info = 0;
        if (codeFake != null)
        {
            var infoD = codeLoss.Call(codeFake, fakeLabels);
            info = infoD.Item();
            lossD = lossD + infoD * InfoWeight;
        }
        lossD.Backward();
        discriminatorOptimizer.Step();

        float gLoss = 0;
        // The generator's steps need gradients through D, not D's own: its weights stop asking for them meanwhile
        // (no weight-gradient products in D's backward, and nothing for a data-parallel group to send).
        var dWeights = discriminatorWeights ??= [.. gan.Discriminator.Parameters().Where(p => p.RequiresGrad)];
        foreach (var w in dWeights) w.RequiresGrad = false;
        try
        {
            for (int k = 0; k < GeneratorSteps; k++)
            {
                if (k > 0) fake = gan.Generator.Call(gan.GeneratorInput(Noise(n), fakeLabels));
                generatorOptimizer.ZeroGrad();
                var (dOut, codeOut) = Discriminate(fake, fakeLabels);
                var lossG = bce.Call(dOut, Tensor.Ones(n, 1));
                gLoss = lossG.Item();
                if (codeOut != null) lossG = lossG + codeLoss.Call(codeOut, fakeLabels) * InfoWeight;
                lossG.Backward();
                generatorOptimizer.Step();
                GeneratorAverage?.Update();
            }
        }
        finally { foreach (var w in dWeights) w.RequiresGrad = true; }
        var metrics = new Dictionary<string, float> { ["d_loss"] = dLoss, ["d_real"] = pReal, ["d_fake"] = pFake };
        if (gan.Codes > 0) metrics["info_loss"] = info;
        return new StepResult(gLoss, n, null, metrics);
    }

    /// <summary>D's logit (N, 1), and for an InfoGAN its code logits (N, codes), the columns after the first.</summary>
    (Tensor Logit, Tensor? Code) Discriminate(Tensor images, Tensor labels)
    {
        var d = gan.Discriminator.Call(gan.DiscriminatorInput(images, labels));
        return gan.Codes == 0 ? (d, null) : (d.Slice(1, 0, 1), d.Slice(1, 1, 1 + gan.Codes));
    }

    /// <summary>
    /// z for <paramref name="n"/> samples. In data-parallel training every process draws the noise of the whole batch
    /// (n per process) and keeps its contiguous block of rows, the rows one process would have given its samples.
    /// </summary>
    Tensor Noise(int n)
    {
        int size = Communicator.Size, rank = Communicator.Rank, d = gan.Latent;
        var all = Tensor.Randn([n * size, d], noise);
        if (size == 1) return all;
        return Tensor.FromArray(all.AsReadOnlySpan().Slice(rank * n * d, n * d).ToArray(), n, d);
    }

    /// <summary>The noise generator's position, so a resumed run draws the same z.</summary>
    sealed class NoiseState(Generator g) : IStateful
    {
        public void SaveState(TrainingState state, string prefix) => state.Set(prefix + "generator", g);
        public void LoadState(TrainingState state, string prefix) => state.GetGenerator(prefix + "generator", g);
    }
}
