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
/// real image with its label, and draws its fakes for labels chosen uniformly at random.
/// </summary>
public sealed class GanTask(Gan gan, Optimizer generatorOptimizer, Optimizer discriminatorOptimizer, Generator noise, float realLabel = 0.9f)
    : TrainingTask<(Tensor Input, Tensor Target)>
{
    readonly BCEWithLogitsLoss bce = new();
    readonly NoiseState noiseState = new(noise);

    public float RealLabel { get; } = realLabel;

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
        if (gan.Classes > 0)
        {
            // In data-parallel training every process draws the whole batch's labels and keeps its own rows.
            var (rank, size) = (Communicator.Rank, Communicator.Size);
            var y = new float[n];
            for (int i = 0; i < n * size; i++)
            {
                int label = noise.NextInt(gan.Classes);
                if (i / n == rank) y[i - rank * n] = label;
            }
            fakeLabels = Tensor.FromArray(y, n);
        }
        var fake = gan.Generator.Call(gan.GeneratorInput(z, fakeLabels));

        discriminatorOptimizer.ZeroGrad();
        var dReal = gan.Discriminator.Call(gan.DiscriminatorInput(real, realLabels));
        var dFake = gan.Discriminator.Call(gan.DiscriminatorInput(fake.Detach(), fakeLabels));
        var lossD = bce.Call(dReal, Tensor.Full([n, 1], RealLabel)) + bce.Call(dFake, Tensor.Zeros(n, 1));
        float dLoss = lossD.Item(), pReal = dReal.Sigmoid().Mean().Item(), pFake = dFake.Sigmoid().Mean().Item();
        lossD.Backward();
        discriminatorOptimizer.Step();

        float gLoss = 0;
        for (int k = 0; k < GeneratorSteps; k++)
        {
            if (k > 0) fake = gan.Generator.Call(gan.GeneratorInput(Noise(n), fakeLabels));
            generatorOptimizer.ZeroGrad();
            var lossG = bce.Call(gan.Discriminator.Call(gan.DiscriminatorInput(fake, fakeLabels)), Tensor.Ones(n, 1));
            gLoss = lossG.Item();
            lossG.Backward();
            generatorOptimizer.Step();
            GeneratorAverage?.Update();
        }
        return new StepResult(gLoss, n, null, new Dictionary<string, float> { ["d_loss"] = dLoss, ["d_real"] = pReal, ["d_fake"] = pFake });
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
