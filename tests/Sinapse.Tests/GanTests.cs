using Sinapse.IO;
using Sinapse.Classic;
using Sinapse.Data;
using Sinapse.Generative;
using Sinapse.Layers;
using Sinapse.Optimizers;
using Sinapse.Tests.Support;
using Sinapse.Training;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

public class SampleQualityTests
{
    [Fact]
    public void InceptionScore_IsTheClassCount_ForConfidentEvenSamples_AndOneForIdenticalOnes()
    {
        var even = Tensor.OneHot(Enumerable.Range(0, 100).Select(i => i % 10).ToArray(), 10);
        Assert.Equal(10.0, SampleQuality.InceptionScore(even), 6);
        Assert.Equal(1.0, SampleQuality.InceptionScore(Tensor.OneHot(new int[100], 10)), 6);
        Assert.Equal(1.0, SampleQuality.InceptionScore(Tensor.Full([50, 10], 0.1f)), 5); // nothing recognisable
        Assert.All(SampleQuality.ClassShares(even), s => Assert.Equal(0.1, s, 9));
    }

    [Fact]
    public void FrechetDistance_IsZeroForTheSameData_AndTheSquaredShiftForAShiftedCopy()
    {
        var a = Tensor.Randn([3000, 4], new Generator(1));
        Assert.InRange(SampleQuality.FrechetDistance(a, a), -1e-3, 1e-3);
        Assert.Equal(4.0, SampleQuality.FrechetDistance(a, a + 1f), 2); // ‖(1,1,1,1)‖² = 4, same covariance
        // Scaled by 2: covariances C and 4C, so tr(C + 4C − 2·(C^½·4C·C^½)^½) = tr(C); the means differ by mean(a).
        var c = LinearSolve.Covariance(a);
        double expected = Enumerable.Range(0, 4).Sum(i => c[i * 4 + i]) + a.Mean(0).ToArray().Sum(m => (double)m * m);
        Assert.Equal(expected, SampleQuality.FrechetDistance(a, a * 2f), 3);
    }

    [Fact]
    public void SymmetricEigen_DiagonalisesAKnownMatrix()
    {
        var (values, vectors) = LinearSolve.SymmetricEigen([2, 1, 1, 2], 2); // eigenvalues 1 and 3, vectors (1, ∓1)/√2
        Assert.Equal([1.0, 3.0], values.Order().Select(v => Math.Round(v, 10)));
        int k = values[0] > values[1] ? 0 : 1;
        Assert.Equal(1.0, Math.Abs(vectors[0 * 2 + k] + vectors[1 * 2 + k]) / Math.Sqrt(2), 9);
    }
}

public class GanTaskTests
{
    static TensorDataset Digits()
    {
        var (train, _) = Mnist.Load(Mnist.FindDefaultDirectory()!, 0.5f, 0.5f);
        var (x, y) = train.GetBatch(Enumerable.Range(0, 256).ToArray());
        return new TensorDataset(x, y);
    }

    sealed class Crash(int afterEpoch) : Callback
    {
        public override void OnEpochBegin(TrainingContext ctx) { if (ctx.Epoch == afterEpoch + 1) throw new IOException("simulated crash"); }
    }

    static (float[] Weights, History History) Run(TensorDataset data, string? backup, Callback? crash, bool averaged = false)
    {
        var gan = Gan.Mlp(new Generator(3));
        var task = new GanTask(gan, new Adam(gan.Generator.Parameters(), 2e-4f, beta1: 0.5f), new Adam(gan.Discriminator.Parameters(), 2e-4f, beta1: 0.5f), new Generator(4))
        {
            GeneratorAverage = averaged ? new WeightAverage(gan.Generator, 0.99f) : null,
        };
        var callbacks = new List<Callback>();
        if (crash != null) callbacks.Add(crash);
        if (backup != null) callbacks.Add(new BackupAndRestore(backup));
        var h = Trainer.Fit(task, new DataLoader(data, 32, shuffle: true, seed: 5), null, 4, [.. callbacks]);
        var weights = gan.StateDict().SelectMany(p => p.Value.ToArray()).ToList();
        if (task.GeneratorAverage is { } average)
            using (average.Apply()) weights.AddRange(gan.Generator.Parameters().SelectMany(p => p.ToArray()));
        return (weights.ToArray(), h);
    }

    [Fact]
    public void AGanRunWithAnAveragedGenerator_Resumed_HasTheSameAverage()
    {
        var data = Digits();
        var (expected, _) = Run(data, null, null, averaged: true);
        var path = Path.Combine(Temp(), "checkpoint.safetensors");
        Assert.Throws<IOException>(() => Run(data, path, new Crash(2), averaged: true));
        var (weights, _) = Run(data, path, null, averaged: true);
        Assert.Equal(expected, weights);
        var (plain, _) = Run(data, null, null);
        Assert.Equal(plain, expected[..plain.Length]); // averaging does not steer training
        int g = expected.Length - plain.Length;       // the generator's parameters come first in the state
        Assert.NotEqual(plain[..g], expected[plain.Length..]);
    }

    [Fact]
    public void AGanRun_Interrupted_AndResumed_HasTheSameLossesAndWeights()
    {
        var data = Digits();
        var (expected, full) = Run(data, null, null);
        Assert.All(full.Epochs, e => Assert.True(e.Extra!.ContainsKey("d_loss") && e.Extra.ContainsKey("d_real")));
        var path = Path.Combine(Temp(), "checkpoint.safetensors");
        Assert.Throws<IOException>(() => Run(data, path, new Crash(2)));
        var (weights, resumed) = Run(data, path, null);
        Assert.Equal(expected, weights);
        Assert.Equal(full.Epochs.Select(e => (e.Loss, e.Extra!["d_loss"])), resumed.Epochs.Select(e => (e.Loss, e.Extra!["d_loss"])));
    }

    [Fact]
    public void Samples_HaveTheImageShape_InTheTanhRange()
    {
        var gan = Gan.Dcgan(new Generator(1));
        var x = gan.Sample(3, new Generator(2));
        Assert.Equal([3, 1, 28, 28], x.Shape);
        Assert.All(x.ToArray(), v => Assert.InRange(v, -1f, 1f));
        Assert.Equal(1, gan.Discriminator.Call(x).Shape[1]);
    }
}

public class ConditionalGanTests
{
    [Fact]
    public void ConditionalInputs_AppendTheOneHotAndTheClassPlanes()
    {
        var gan = Gan.Dcgan(new Generator(1), latent: 5, classes: 3);
        var labels = Tensor.FromArray([2f, 0f]);
        var z = gan.GeneratorInput(Tensor.Zeros(2, 5), labels);
        Assert.Equal([2, 8], z.Shape);
        Assert.Equal([0f, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0], z.ToArray());
        var x = gan.DiscriminatorInput(Tensor.Zeros(2, 1, 28, 28), labels);
        Assert.Equal([2, 4, 28, 28], x.Shape);
        var sums = x.Sum([2, 3]).ToArray(); // per (sample, channel): the image, then one plane of 784 ones
        Assert.Equal([0f, 0, 0, 784, 0, 784, 0, 0], sums);
        Assert.Equal([4, 1, 28, 28], gan.Sample(4, new Generator(2)).Shape);
        Assert.Equal(1, gan.Discriminator.Call(x).Shape[1]);
        Assert.Contains("label 3", Assert.Throws<ArgumentException>(() => gan.DiscriminatorInput(Tensor.Zeros(1, 1, 28, 28), Tensor.FromArray([3f]))).Message);
        // The dense conditional GAN reads the flattened image with the one-hot appended.
        var mlp = Gan.Mlp(new Generator(3), latent: 8, classes: 10);
        var rows = mlp.DiscriminatorInput(Tensor.Ones(2, 1, 28, 28), Tensor.FromArray([4f, 9f]));
        Assert.Equal([2, 794], rows.Shape);
        Assert.Equal(784 + 1, rows.Sum(1).ToArray()[0]);
        Assert.Equal(1f, rows.ToArray()[784 + 4]);
        Assert.Equal([3, 1, 28, 28], mlp.Sample(3, new Generator(4)).Shape);
        Assert.Equal(1, mlp.Discriminator.Call(rows).Shape[1]);
    }

    [Fact]
    public void AConditionalGan_DrawsTheClassItIsAskedFor()
    {
        // Two classes of 4×4 images: class 0 all −0.8, class 1 all +0.8. Unconditioned noise cannot tell which to
        // draw; the label can.
        int n = 256;
        var labels = Enumerable.Range(0, n).Select(i => (float)(i % 2)).ToArray();
        var images = Tensor.FromArray(labels.SelectMany(l => Enumerable.Repeat(l == 0 ? -0.8f : 0.8f, 16)).ToArray(), n, 1, 4, 4);
        var g = new Generator(3);
        var gan = new Gan(
            new Sequential(new Linear(4 + 2, 32, gen: g), new LeakyReLU(0.2f), new Linear(32, 16, gen: g), new Tanh(), new Unflatten(1, 1, 4, 4)),
            new Sequential(new Flatten(), new Linear(3 * 16, 32, gen: g), new LeakyReLU(0.2f), new Linear(32, 1, gen: g)),
            latent: 4, classes: 2);
        var task = new GanTask(gan, new Adam(gan.Generator.Parameters(), 2e-3f, beta1: 0.5f), new Adam(gan.Discriminator.Parameters(), 2e-3f, beta1: 0.5f), new Generator(4));
        Trainer.Fit(task, new DataLoader(new TensorDataset(images, Tensor.FromArray(labels)), 32, shuffle: true, seed: 5), null, 30);
        float Mean(int label) => gan.Sample(64, new Generator(9), Enumerable.Repeat(label, 64).ToArray()).Mean().Item();
        Assert.True(Mean(0) < -0.5f && Mean(1) > 0.5f, $"class 0 mean {Mean(0):F2}, class 1 mean {Mean(1):F2}");
    }

    [Fact]
    public void GeneratorSteps_UpdateTheGeneratorThatManyTimesPerBatch()
    {
        var gan = Gan.Mlp(new Generator(1), latent: 8);
        var optG = new Adam(gan.Generator.Parameters(), 2e-4f, beta1: 0.5f);
        var optD = new Adam(gan.Discriminator.Parameters(), 2e-4f, beta1: 0.5f);
        var task = new GanTask(gan, optG, optD, new Generator(2)) { GeneratorSteps = 3 };
        var data = new TensorDataset(Tensor.Randn([64, 1, 28, 28], new Generator(3)).Clamp(-1, 1), Tensor.Zeros(64));
        Trainer.Fit(task, new DataLoader(data, 16), null, 1);
        Assert.Equal(4, optD.StepCount);
        Assert.Equal(12, optG.StepCount);
    }
}

[Collection(nameof(ProcessWideCollection))]
public class CliGanTests
{
    [Fact]
    public void TrainGan_ThenSample_ScoresItsSamples()
    {
        var dir = Path.Combine(Temp(), "gan");
        var (code, output, err) = Run("train", "--model", "gan", "--epochs", "1", "--out", dir);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(dir, "samples", "epoch-01.png")) && File.Exists(Path.Combine(dir, "gan-losses.png")));
        (code, output, err) = Run("sample", "--model", dir, "--count", "16", "--score", "500");
        Assert.True(code == 0, err);
        Assert.Contains("Inception-style score", output);
        Assert.True(File.Exists(Path.Combine(dir, "sample.png")) && File.Exists(Path.Combine(dir, "judge.safetensors")));
        Assert.Equal(2, Run("sample", "--model", Temp()).Code);

        // An (untrained) InfoGAN's run folder, judged by the same judge: the codes' digits are reported.
        var info = Path.Combine(Temp(), "infogan");
        Directory.CreateDirectory(info);
        File.WriteAllText(Path.Combine(info, "gan.json"), "{\n  \"model\": \"infogan\"\n}\n");
        Gan.Dcgan(new Generator(1), codes: 10).Save(Path.Combine(info, "model.safetensors"));
        File.Copy(Path.Combine(dir, "judge.safetensors"), Path.Combine(info, "judge.safetensors"));
        (code, output, err) = Run("sample", "--model", info, "--count", "20", "--score", "500", "--truncation", "1.5");
        Assert.True(code == 0, err);
        Assert.Contains("code → digit", output);
        Assert.Contains("code_purity", File.ReadAllText(Path.Combine(info, "sample-metrics.json")));
    }
}

public class GanRateTests
{
    [Fact]
    public void DcganAndInfogan_TrainTheGeneratorFaster_AndOldRunsResumeAtTheirRate_AndSteps()
    {
        Assert.Equal((1e-3f, 2e-4f), (new Cli.TrainCommand.Settings { Model = "dcgan" }.LearningRate, new Cli.TrainCommand.Settings { Model = "dcgan" }.DiscriminatorRate));
        Assert.Equal((1e-3f, 2e-4f), (new Cli.TrainCommand.Settings { Model = "infogan" }.LearningRate, new Cli.TrainCommand.Settings { Model = "infogan" }.DiscriminatorRate));
        Assert.Equal((2e-4f, 2e-4f), (new Cli.TrainCommand.Settings { Model = "cdcgan" }.LearningRate, new Cli.TrainCommand.Settings { Model = "cdcgan" }.DiscriminatorRate));
        Assert.Equal(5e-4f, new Cli.TrainCommand.Settings { Model = "gan", LearningRateOption = 5e-4f }.DiscriminatorRate);
        // The DCGAN's and the InfoGAN's generators take two steps per discriminator step unless told otherwise; the others one.
        Assert.Equal((2, 2, 1, 3), (new Cli.TrainCommand.Settings { Model = "dcgan" }.GeneratorSteps, new Cli.TrainCommand.Settings { Model = "infogan" }.GeneratorSteps,
            new Cli.TrainCommand.Settings { Model = "gan" }.GeneratorSteps, new Cli.TrainCommand.Settings { Model = "dcgan", GeneratorStepsOption = 3 }.GeneratorSteps));
        // A DCGAN run saved before runs kept their rates was trained at 2e-4: it resumes at 2e-4.
        var old = Temp();
        File.WriteAllText(Path.Combine(old, "settings.json"), "{ \"model\": \"dcgan\", \"epochs\": 3, \"optimizer\": \"adam\", \"seed\": \"42\" }");
        File.WriteAllBytes(Path.Combine(old, "checkpoint.safetensors"), []); // Load only asks that a checkpoint exists
        var loaded = Cli.RunSettings.Load(old, new Cli.TrainCommand.Settings());
        Assert.Equal((2e-4f, 2e-4f, 1), (loaded.LearningRate, loaded.DiscriminatorRate, loaded.GeneratorSteps));
        // A new run keeps both rates and its generator steps.
        var now = Temp();
        Cli.RunSettings.Save(new Cli.TrainCommand.Settings { Model = "dcgan" }, now);
        File.WriteAllBytes(Path.Combine(now, "checkpoint.safetensors"), []);
        var again = Cli.RunSettings.Load(now, new Cli.TrainCommand.Settings());
        Assert.Equal((1e-3f, 2e-4f, 2), (again.LearningRate, again.DiscriminatorRate, again.GeneratorSteps));
        var one = Temp();
        Cli.RunSettings.Save(new Cli.TrainCommand.Settings { Model = "dcgan", GeneratorStepsOption = 1 }, one);
        File.WriteAllBytes(Path.Combine(one, "checkpoint.safetensors"), []);
        Assert.Equal(1, Cli.RunSettings.Load(one, new Cli.TrainCommand.Settings()).GeneratorSteps);
    }

    [Fact]
    public void Infogan_WeighsItsCode_AndRunsKeepTheWeight()
    {
        Assert.Equal((2f, 0.5f), (new Cli.TrainCommand.Settings { Model = "infogan" }.InfoWeight, new Cli.TrainCommand.Settings { Model = "infogan", InfoWeightOption = 0.5f }.InfoWeight));
        var run = Temp();
        Cli.RunSettings.Save(new Cli.TrainCommand.Settings { Model = "infogan", InfoWeightOption = 3f }, run);
        File.WriteAllBytes(Path.Combine(run, "checkpoint.safetensors"), []);
        Assert.Equal(3f, Cli.RunSettings.Load(run, new Cli.TrainCommand.Settings()).InfoWeight);
        // An InfoGAN run saved before runs kept the weight was trained with 1: it resumes with 1.
        var old = Temp();
        File.WriteAllText(Path.Combine(old, "settings.json"), "{ \"model\": \"infogan\", \"epochs\": 3, \"optimizer\": \"adam\", \"seed\": \"42\" }");
        File.WriteAllBytes(Path.Combine(old, "checkpoint.safetensors"), []);
        Assert.Equal(1f, Cli.RunSettings.Load(old, new Cli.TrainCommand.Settings()).InfoWeight);
    }
}

public class InfoGanTests
{
    [Fact]
    public void AnInfoGan_ReadsTheCodeBesideZ_AndItsDiscriminatorGivesCodeLogits()
    {
        var gan = Gan.Dcgan(new Generator(1), latent: 5, codes: 4);
        Assert.Equal(0, gan.Classes);
        Assert.Equal(4, gan.Categories);
        var z = gan.GeneratorInput(Tensor.Zeros(2, 5), Tensor.FromArray([3f, 1f]));
        Assert.Equal([0f, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0], z.ToArray());
        var images = Tensor.Zeros(2, 1, 28, 28);
        Assert.Same(images, gan.DiscriminatorInput(images, Tensor.FromArray([3f, 1f]))); // no labels reach D
        Assert.Equal([2, 5], gan.Discriminator.Call(images).Shape); // its logit and 4 code logits
        Assert.Equal([3, 1, 28, 28], gan.Sample(3, new Generator(2)).Shape);
        Assert.Throws<ArgumentException>(() => Gan.Dcgan(new Generator(1), classes: 10, codes: 10));
    }

    [Fact]
    public void AnInfoGan_LearnsACodeItsDiscriminatorCanReadBack()
    {
        // 4×4 images of two kinds, all −0.8 or all +0.8, and no labels (targets are zeros). The code must come to
        // change what the generator draws, in a way D's code logits recover.
        int n = 256;
        var images = Tensor.FromArray(Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat(i % 2 == 0 ? -0.8f : 0.8f, 16)).ToArray(), n, 1, 4, 4);
        var g = new Generator(3);
        var gan = new Gan(
            new Sequential(new Linear(4 + 2, 32, gen: g), new LeakyReLU(0.2f), new Linear(32, 16, gen: g), new Tanh(), new Unflatten(1, 1, 4, 4)),
            new Sequential(new Flatten(), new Linear(16, 32, gen: g), new LeakyReLU(0.2f), new Linear(32, 1 + 2, gen: g)),
            latent: 4, codes: 2);
        var task = new GanTask(gan, new Adam(gan.Generator.Parameters(), 2e-3f, beta1: 0.5f), new Adam(gan.Discriminator.Parameters(), 2e-3f, beta1: 0.5f), new Generator(4));
        var h = Trainer.Fit(task, new DataLoader(new TensorDataset(images, Tensor.Zeros(n)), 32, shuffle: true, seed: 5), null, 30);
        Assert.True(h.Epochs[^1].Extra!["info_loss"] < 0.1f * h.Epochs[0].Extra!["info_loss"], $"info loss {h.Epochs[0].Extra!["info_loss"]:F3} → {h.Epochs[^1].Extra!["info_loss"]:F3}");
        int[] codes = [.. Enumerable.Range(0, 200).Select(i => i % 2)];
        var samples = gan.Sample(200, new Generator(9), codes);
        gan.Eval();
        float[] logits;
        using (Autograd.NoGrad()) logits = gan.Discriminator.Call(samples).ToArray();
        int read = Enumerable.Range(0, 200).Count(i => (logits[i * 3 + 2] > logits[i * 3 + 1] ? 1 : 0) == codes[i]);
        Assert.True(read >= 190, $"D reads the code of {read} of 200 samples");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(2f)]
    public void TheInfoWeight_ScalesTheCodesLoss_AtZeroTheCodeLogitsStayPut(float weight)
    {
        var g = new Generator(3);
        var gan = new Gan(
            new Sequential(new Linear(4 + 2, 16, gen: g), new Tanh(), new Unflatten(1, 1, 4, 4)),
            new Sequential(new Flatten(), new Linear(16, 8, gen: g), new LeakyReLU(0.2f), new Linear(8, 1 + 2, gen: g)),
            latent: 4, codes: 2);
        var last = gan.Discriminator.Parameters().First(p => p.Shape is [3, 8]);
        var before = last.ToArray();
        var task = new GanTask(gan, new Adam(gan.Generator.Parameters(), 1e-2f), new Adam(gan.Discriminator.Parameters(), 1e-2f), new Generator(4)) { InfoWeight = weight };
        task.TrainStep((Tensor.Randn([8, 1, 4, 4], new Generator(5)), Tensor.Zeros(8)));
        var after = last.ToArray();
        bool logitRowMoved = Enumerable.Range(0, 8).Any(j => after[j] != before[j]);
        bool codeRowsMoved = Enumerable.Range(8, 16).Any(j => after[j] != before[j]);
        Assert.True(logitRowMoved);
        Assert.Equal(weight > 0, codeRowsMoved);
    }

    [Fact]
    public void TruncatedNoise_StaysWithinTheBound()
    {
        var gan = Gan.Mlp(new Generator(1), latent: 16);
        var z = gan.Noise(200, new Generator(2), truncation: 0.5f).ToArray();
        Assert.All(z, v => Assert.InRange(v, -0.5f, 0.5f));
        Assert.InRange(z.Select(v => (double)v * v).Average(), 0.05, 0.1); // a normal cut at ±0.5σ has variance ≈ 0.078
        Assert.Throws<ArgumentOutOfRangeException>(() => gan.Noise(2, new Generator(2), truncation: 0f));
    }
}
