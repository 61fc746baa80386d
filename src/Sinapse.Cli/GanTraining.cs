using System.Diagnostics;
using Sinapse.Data;
using Sinapse.Generative;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Optimizers;
using Sinapse.Training;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse train --model gan|cgan|dcgan|cdcgan|infogan</c>: a GAN on MNIST (cdcgan: a DCGAN conditioned on the digit; infogan: a DCGAN with a categorical code, no labels) (pixels scaled to [−1, 1]) trained by <see cref="GanTask"/>
/// (Adam β1 0.5 at 2e-4, dcgan and infogan 1e-3 for G and 2e-4 for D and two generator steps per discriminator step; infogan weighs the code's cross-entropy by 2; batch 64 by default), with Fit's progress bar, history and resumable checkpoints. After every
/// epoch a grid of 64 samples from one fixed noise batch goes to samples/epoch-NN.png; gan-losses.png plots the two
/// losses. `sinapse sample` scores the result.
/// </summary>
internal static class GanTraining
{
    public const string GanJson = "gan.json";

    public static bool Handles(string model) => model is "gan" or "dcgan" or "cgan" or "cdcgan" or "infogan";

    public static Gan Build(string model, ulong seed) => model switch
    {
        "dcgan" => Gan.Dcgan(new Generator(seed)),
        "cdcgan" => Gan.Dcgan(new Generator(seed), classes: 10),
        "infogan" => Gan.Dcgan(new Generator(seed), codes: 10),
        "cgan" => Gan.Mlp(new Generator(seed), classes: 10),
        _ => Gan.Mlp(new Generator(seed)),
    };

    static string Describe(string model) => model switch { "dcgan" => "DCGAN", "infogan" => "DCGAN with InfoGAN's 10-valued code (no labels)", "cdcgan" => "conditional DCGAN (one class per digit)", "cgan" => "conditional GAN (MLP, one class per digit)", _ => "GAN (MLP)" };

    /// <summary>MNIST in [−1, 1], the generators' tanh range.</summary>
    public static (TensorDataset Train, TensorDataset Test) Load(string? data) => Mnist.Load(RunFolder.ResolveData(data), 0.5f, 0.5f);

    public static int Run(TrainCommand.Settings s)
    {
        if (s.Threads is int th) Sinapse.Settings.Threads = th;
        var (train, _) = Load(s.Data);
        var outDir = RunFolder.Choose(s.Out);
        Directory.CreateDirectory(Path.Combine(outDir, "samples"));
        RunSettings.Save(s, outDir);
        RunFolder.WriteText(Path.Combine(outDir, GanJson), $"{{\n  \"model\": \"{s.Model}\"\n}}\n");
        var gan = Build(s.Model, s.Seed);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] training a {Describe(s.Model)} on MNIST: latent {gan.Latent}, batch {s.BatchSize}, Adam β1 0.5, rates {s.LearningRate} (G) and {s.DiscriminatorRate} (D){(gan.Codes > 0 ? $", code weight {s.InfoWeight}" : "")}; {Sinapse.Settings.Threads} thread(s), seed {s.Seed}");
        AnsiConsole.WriteLine(gan.ToString());
        var optG = new Adam(gan.Generator.Parameters(), s.LearningRate, beta1: 0.5f);
        var optD = new Adam(gan.Discriminator.Parameters(), s.DiscriminatorRate, beta1: 0.5f);
        var average = s.Ema > 0 ? new WeightAverage(gan.Generator, s.Ema) : null;
        var task = new GanTask(gan, optG, optD, new Generator(s.Seed + 1)) { GeneratorSteps = s.GeneratorSteps, GeneratorAverage = average, InfoWeight = s.InfoWeight };
        var fixedNoise = Tensor.Randn([gan.Categories > 0 ? 100 : 64, gan.Latent], new Generator(s.Seed + 2));
        var loader = new DataLoader(train, s.BatchSize, shuffle: true, seed: s.Seed, dropLast: true);
        var callbacks = new List<Callback>
        {
            new CsvLogger(Path.Combine(outDir, RunFolder.HistoryCsv)),
            new LambdaCallback
            {
                EpochEnd = (_, l) =>
                {
                    using (average?.Apply()) SampleGrid(gan, fixedNoise, Path.Combine(outDir, "samples", $"epoch-{l.Epoch:D2}.png"), $"epoch {l.Epoch}");
                },
            },
        };
        if (s.Minutes is double minutes) callbacks.Add(new TimeLimit(minutes * 60));
        callbacks.Add(RunSettings.Backup(outDir, s.Resume != null));
        var sw = Stopwatch.StartNew();
        var history = TrainCommand.FitWithProgress(s.Epochs, loader.BatchCount, callbacks, cbs => Trainer.Fit(task, loader, null, s.Epochs, MpiJob.Communicator, cbs));
        double seconds = sw.Elapsed.TotalSeconds;
        average?.CopyToModule(); // the run keeps (and sample scores) the averaged generator
        gan.Save(Path.Combine(outDir, RunFolder.Weights), new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "sinapse", ["model"] = s.Model });
        SampleGrid(gan, fixedNoise, Path.Combine(outDir, "samples.png"), $"{s.Model}, {history.Epochs.Count} epochs");
        Plots.Curves(new Dictionary<string, List<(double X, double Y)>>
            {
                ["generator loss −log D(G(z))"] = history.Epochs.Select(e => ((double)e.Epoch, (double)e.Loss)).ToList(),
                ["discriminator loss"] = history.Epochs.Select(e => ((double)e.Epoch, (double)e.Extra!["d_loss"])).ToList(),
            }, "GAN losses per epoch", "epoch", "loss", Path.Combine(outDir, "gan-losses.png"));
        AnsiConsole.MarkupLine($"{history.Epochs.Count} epochs in {seconds:F1} s; last epoch: G loss {history.Epochs[^1].Loss:F3}, D loss {history.Epochs[^1].Extra!["d_loss"]:F3}, D(real) {history.Epochs[^1].Extra!["d_real"]:F2}, D(fake) {history.Epochs[^1].Extra!["d_fake"]:F2}");
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]; score it with [bold]sinapse sample --model {Markup.Escape(outDir)}[/]");
        return 0;
    }

    /// <summary>
    /// The generator's images for <paramref name="noise"/> (eval mode) as an 8-wide grid; a conditional GAN's as
    /// rows of the classes in turn (or all of <paramref name="digit"/>), one column per class; an InfoGAN's one column
    /// per code value.
    /// </summary>
    public static void SampleGrid(Gan gan, Tensor noise, string path, string caption, int? digit = null)
    {
        bool was = gan.Training;
        gan.Eval();
        Tensor x;
        int n = noise.Shape[0];
        var labels = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)(digit ?? (gan.Categories > 0 ? i % gan.Categories : 0))).ToArray(), n);
        using (Autograd.NoGrad()) x = gan.Call(gan.GeneratorInput(noise, labels));
        gan.Train(was);
        var v = x.ToArray();
        Pictures.Grid(Enumerable.Range(0, n).Select(i => v.AsSpan(i * 784, 784).ToArray()).ToList(), 28, 28, path, 2, caption, gan.Categories > 0 ? gan.Categories : 8);
    }

    /// <summary>Rebuilds a trained GAN from its run folder (gan.json and model.safetensors).</summary>
    public static (Gan Gan, string Model) LoadRun(string dir)
    {
        var json = Path.Combine(dir, GanJson);
        if (!File.Exists(json)) throw new FileNotFoundException($"'{json}' not found: --model must be a run folder of 'sinapse train --model gan|cgan|dcgan|cdcgan|infogan'.", json);
        var text = File.ReadAllText(json);
        string model = new[] { "infogan", "cdcgan", "dcgan", "cgan", "gan" }.FirstOrDefault(m => text.Contains($"\"{m}\""))
            ?? throw new InvalidDataException($"'{json}': model is not gan, cgan, dcgan, cdcgan or infogan.");
        var gan = Build(model, 0);
        gan.Load(Path.Combine(dir, RunFolder.Weights));
        gan.Eval();
        return (gan, model);
    }
}
