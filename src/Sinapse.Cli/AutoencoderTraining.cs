using System.Diagnostics;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Sinapse.Unsupervised;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse train --model autoencoder[:conv] --code 32 [--noise 0.3]</c>: an MNIST autoencoder (pixels in [0, 1],
/// sigmoid output, MSE against the clean image), dense (784-256-code-256-784, ReLU) or convolutional (two stride-2
/// convolutions down to 32×7×7, a dense code, two transposed convolutions back), optionally denoising (Gaussian noise
/// on the input only). Reports the test reconstruction MSE beside PCA's with as many components; writes recon.png
/// (test digits above their reconstructions) and, for a 2-D code, codes.png (the test set's codes coloured by digit).
/// </summary>
internal static class AutoencoderTraining
{
    public static bool Handles(string model) => model is "autoencoder" or "autoencoder:conv";

    public static Sequential Model(bool conv, int code, Generator g) => conv
        ? new Sequential(
            new Conv2d(1, 16, 3, 2, 1, gen: g), new ReLU(), new Conv2d(16, 32, 3, 2, 1, gen: g), new ReLU(), new Flatten(),
            new Linear(32 * 7 * 7, code, gen: g),
            new Linear(code, 32 * 7 * 7, gen: g), new ReLU(), new Unflatten(1, 32, 7, 7),
            new ConvTranspose2d(32, 16, 3, 2, 1, 1, gen: g), new ReLU(), new ConvTranspose2d(16, 1, 3, 2, 1, 1, gen: g), new Sigmoid(), new Flatten())
        : new Sequential(
            new Flatten(), new Linear(784, 256, gen: g), new ReLU(), new Linear(256, code, gen: g),
            new Linear(code, 256, gen: g), new ReLU(), new Linear(256, 784, gen: g), new Sigmoid());

    /// <summary>The encoder's output: the layers up to the code (the first Linear whose width is the code).</summary>
    public static Tensor Encode(Sequential model, Tensor x, int code)
    {
        using var _ = Autograd.NoGrad();
        var h = x;
        for (int i = 0; i < model.Count; i++)
        {
            h = model[i].Call(h);
            if (model[i] is Linear l && l.OutFeatures == code) return h;
        }
        throw new InvalidOperationException("Autoencoder: no layer of the code's width.");
    }

    public static int Run(TrainCommand.Settings s)
    {
        if (s.Threads is int th) Sinapse.Settings.Threads = th;
        bool conv = s.Model == "autoencoder:conv";
        int code = s.Code;
        var (train, test) = Mnist.Load(RunFolder.ResolveData(s.Data), 0f, 1f);
        TensorDataset Pairs(TensorDataset d) => new(d.Inputs, d.Inputs.Reshape(d.Count, 784));
        var outDir = RunFolder.Choose(s.Out);
        Directory.CreateDirectory(outDir);
        var model = Model(conv, code, new Generator(s.Seed));
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] training a {(conv ? "convolutional" : "dense")} {(s.Noise > 0 ? $"denoising (σ = {s.Noise}) " : "")}autoencoder, code {code}, on MNIST; {Sinapse.Settings.Threads} thread(s), seed {s.Seed}");
        AnsiConsole.WriteLine(model.Summary(1, 1, 28, 28));
        var opt = new Adam(model.Parameters(), s.LearningRate);
        var noise = new Generator(s.Seed + 1);
        var loader = new DataLoader(Pairs(train), s.BatchSize, shuffle: true, seed: s.Seed)
        {
            Transform = s.Noise > 0 ? b => ((b.Input + Tensor.Randn(b.Input.Shape, noise) * s.Noise).Clamp(0f, 1f), b.Target) : null,
        };
        var callbacks = new List<Callback> { new CsvLogger(Path.Combine(outDir, RunFolder.HistoryCsv)) };
        if (TrainCommand.Schedule(s, opt) is { } schedule) callbacks.Add(schedule);
        if (s.Minutes is double minutes) callbacks.Add(new TimeLimit(minutes * 60));
        RunSettings.Save(s, outDir);
        callbacks.Add(RunSettings.Backup(outDir, s.Resume != null));
        var sw = Stopwatch.StartNew();
        var history = TrainCommand.FitWithProgress(s.Epochs, loader.BatchCount, callbacks,
            cbs => Trainer.Fit(model, new MSELoss(), opt, loader, new DataLoader(Pairs(test), 1000), s.Epochs, MpiJob.Communicator, cbs));
        double seconds = sw.Elapsed.TotalSeconds;
        model.Eval();

        double mse = history.Epochs[^1].ValLoss!.Value;
        var pca = new Pca(code).Fit(train.Inputs.Reshape(train.Count, 784));
        double pcaMse = pca.ReconstructionError(test.Inputs.Reshape(test.Count, 784));
        AnsiConsole.MarkupLine($"test reconstruction MSE [bold green]{mse:F5}[/] per pixel; PCA with {code} components: {pcaMse:F5} ({(mse < pcaMse ? "the autoencoder is better" : "PCA is better")}) after {history.Epochs.Count} epochs in {seconds:F1} s");

        var sample = test.Inputs.Slice(0, 0, 16);
        Tensor recon;
        using (Autograd.NoGrad()) recon = model.Call(sample);
        var tiles = Enumerable.Range(0, 16).Select(i => sample.Contiguous().ToArray().AsSpan(i * 784, 784).ToArray())
            .Concat(Enumerable.Range(0, 16).Select(i => recon.ToArray().AsSpan(i * 784, 784).ToArray())).ToList();
        Pictures.Grid(tiles, 28, 28, Path.Combine(outDir, "recon.png"), 2, "test digits (top) and their reconstructions", 16);
        if (code == 2)
        {
            var codes = Encode(model, test.Inputs, code).ToArray();
            var labels = test.Targets.ToArray().Select(v => (int)v).ToArray();
            Plots.Codes(codes, labels, Path.Combine(outDir, "codes.png"));
        }
        model.Save(Path.Combine(outDir, RunFolder.Weights), new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "sinapse" });
        ModelSpec.Of(model, [1, 28, 28]).Save(Path.Combine(outDir, RunFolder.ModelJson));
        Plots.Loss(history, Path.Combine(outDir, RunFolder.LossPng), "MSE per pixel");
        RunFolder.WriteMetrics(Path.Combine(outDir, RunFolder.MetricsJson), [("model", s.Model), ("code", code), ("noise", s.Noise), ("epochs", history.Epochs.Count),
            ("seed", s.Seed), ("test_mse", mse), ("pca_test_mse", pcaMse), ("seconds", seconds)]);
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }
}
