using System.ComponentModel;
using Sinapse.Classic;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse rbm</c>: a restricted Boltzmann machine on binarized MNIST (pixels above ½ on), trained by CD-k or
/// persistent CD; then its hidden probabilities as features for a softmax classifier. With --dbn, a second RBM on the
/// first one's features and a deep belief net (Hinton, Osindero &amp; Teh 2006): the two RBMs' weights initialise a
/// 784-H-H-10 sigmoid MLP, fine-tuned by backpropagation, against the same MLP from random weights. Writes
/// rbm-filters.png (the first 100 units' weights), rbm-samples.png (Gibbs chains), rbm.png (reconstruction error and
/// pseudo-log-likelihood per epoch) and rbm.md.
/// </summary>
internal sealed class RbmCommand : Command<RbmCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--hidden <N>"), Description("Hidden units. Default: 500.")]
        public int Hidden { get; init; } = 500;

        [CommandOption("--epochs <N>"), Description("Epochs of contrastive divergence per RBM. Default: 10.")]
        public int Epochs { get; init; } = 10;

        [CommandOption("--gibbs-steps <K>"), Description("Gibbs steps k of CD-k. Default: 1.")]
        public int K { get; init; } = 1;

        [CommandOption("--persistent"), Description("Persistent contrastive divergence (chains carried across updates).")]
        public bool Persistent { get; init; }

        [CommandOption("--lr <RATE>"), Description("Learning rate of contrastive divergence. Default: 0.05.")]
        public float LearningRate { get; init; } = 0.05f;

        [CommandOption("--dbn"), Description("Also pre-train a second RBM and fine-tune the deep belief net; compare with random initialisation.")]
        public bool Dbn { get; init; }

        [CommandOption("--fine-tune-epochs <N>"), Description("Backpropagation epochs of the DBN and of its randomly initialised twin. Default: 10.")]
        public int FineTuneEpochs { get; init; } = 10;

        [CommandOption("--seed <N>"), Description("Seed. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--out <DIR>"), Description("Run folder. Default: runs/rbm-<date-time>.")]
        public string? Out { get; init; }
    }

    const int Batch = 100;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Hidden < 1 || s.Epochs < 1 || s.K < 1 || s.FineTuneEpochs < 1) throw new ArgumentException("rbm: --hidden, --epochs, --k and --fine-tune-epochs must be positive.");
        var (dir, _, _) = s.Apply();
        var (rawTrain, rawTest) = Mnist.Load(dir, 0f, 1f);
        TensorDataset Binary(TensorDataset d) => new(d.Inputs.Reshape(d.Count, 784).Gt(0.5f), d.Targets);
        var (train, test) = (Binary(rawTrain), Binary(rawTest));
        var outDir = RunFolder.Choose(s.Out, "rbm");
        Directory.CreateDirectory(outDir);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] RBM 784 → {s.Hidden} on binarized MNIST: {(s.Persistent ? "persistent " : "")}CD-{s.K}, η {s.LearningRate}, batch {Batch}, {s.Epochs} epochs");

        var gen = new Generator(s.Seed);
        var rbm = new RestrictedBoltzmannMachine(784, s.Hidden, gen);
        var history = Pretrain(rbm, train.Inputs, s, gen);
        var rows = new List<(string, double)>();
        double featureAcc = SoftmaxOnFeatures(rbm, train, test, s.Seed);
        rows.Add(($"softmax on the RBM's {s.Hidden} hidden probabilities", featureAcc));
        AnsiConsole.MarkupLine($"softmax classifier on the RBM's hidden probabilities: test accuracy [bold green]{featureAcc:P2}[/]");

        Pictures.Grid(Enumerable.Range(0, Math.Min(100, s.Hidden)).Select(j => rbm.Weight.ToArray().AsSpan(j * 784, 784).ToArray()).ToList(), 28, 28,
            Path.Combine(outDir, "rbm-filters.png"), 2, "weights of the first hidden units", 10);
        Pictures.Grid(GibbsChains(rbm, test.Inputs, new Generator(s.Seed + 1)), 28, 28, Path.Combine(outDir, "rbm-samples.png"), 3,
            "Gibbs chains: 0, 1, 10, 100, 1000 steps", 5);
        Plots.Curves(new Dictionary<string, List<(double X, double Y)>>
            {
                ["reconstruction error (squared, per image)"] = history.Epochs.Select(e => ((double)e.Epoch, (double)e.Loss)).ToList(),
                ["−pseudo-log-likelihood (per image)"] = history.Epochs.Select(e => ((double)e.Epoch, -(double)e.Extra!["pseudo_log_likelihood"])).ToList(),
            }, "RBM training", "epoch", "per image", Path.Combine(outDir, "rbm.png"));

        if (s.Dbn)
        {
            var second = new RestrictedBoltzmannMachine(s.Hidden, s.Hidden, gen);
            Tensor features;
            using (Autograd.NoGrad()) features = rbm.HiddenProbabilities(train.Inputs);
            AnsiConsole.MarkupLine($"second RBM {s.Hidden} → {s.Hidden} on the first one's hidden probabilities");
            Pretrain(second, features, s, gen, binarize: false);
            var dbn = Mlp(s.Hidden, new Generator(s.Seed + 2));
            Copy(rbm, (Linear)dbn[0]);
            Copy(second, (Linear)dbn[2]);
            double dbnAcc = FineTune(dbn, train, test, s);
            double randomAcc = FineTune(Mlp(s.Hidden, new Generator(s.Seed + 2)), train, test, s);
            rows.Add(($"DBN 784-{s.Hidden}-{s.Hidden}-10, pre-trained, fine-tuned {s.FineTuneEpochs} epochs", dbnAcc));
            rows.Add(($"the same MLP from random weights, {s.FineTuneEpochs} epochs", randomAcc));
            AnsiConsole.MarkupLine($"deep belief net fine-tuned: [bold green]{dbnAcc:P2}[/]; the same MLP from random weights: {randomAcc:P2}");
        }
        var md = "| model | MNIST test accuracy |\n|---|---:|\n" + string.Concat(rows.Select(r => $"| {r.Item1} | {r.Item2:F4} |\n"));
        RunFolder.WriteText(Path.Combine(outDir, "rbm.md"), md);
        RunFolder.WriteText(Path.Combine(outDir, RunFolder.HistoryCsv), history.ToCsv());
        rbm.Save(Path.Combine(outDir, RunFolder.Weights));
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }

    static History Pretrain(RestrictedBoltzmannMachine rbm, Tensor data, Settings s, Generator gen, bool binarize = true)
    {
        var task = new RbmTask(rbm, s.LearningRate, s.K, s.Persistent, gen: new Generator(gen.NextUInt()));
        var loader = new DataLoader<Tensor>(new UnlabelledDataset(data), Batch, shuffle: true, seed: s.Seed);
        // Real-valued inputs (the second RBM's) are sampled to binary states each batch, as in Hinton's recipe.
        var sampler = new Generator(s.Seed + 7);
        var sampled = binarize ? loader : new DataLoader<Tensor>(new UnlabelledDataset(data), Batch, shuffle: true, seed: s.Seed)
        { Transform = b => RestrictedBoltzmannMachine.Sample(b, sampler) };
        var callbacks = new List<Callback> { new LambdaCallback { EpochEnd = (_, l) => AnsiConsole.MarkupLine($"epoch {l.Epoch,2}: reconstruction error {l.Loss:F2}, pseudo-log-likelihood {l.Extra!["pseudo_log_likelihood"]:F2}") } };
        return TrainCommand.FitWithProgress(s.Epochs, sampled.BatchCount, callbacks, cbs => Trainer.Fit(task, sampled, null, s.Epochs, cbs));
    }

    /// <summary>Test accuracy of a softmax classifier (Linear H → 10) trained on the RBM's hidden probabilities.</summary>
    static double SoftmaxOnFeatures(RestrictedBoltzmannMachine rbm, TensorDataset train, TensorDataset test, ulong seed)
    {
        Tensor ft, fs;
        using (Autograd.NoGrad()) { ft = rbm.HiddenProbabilities(train.Inputs); fs = rbm.HiddenProbabilities(test.Inputs); }
        var clf = new Sequential(new Linear(rbm.Hidden, 10, gen: new Generator(seed)));
        var opt = new Adam(clf.Parameters(), 1e-3f);
        Trainer.Fit(clf, new CrossEntropyLoss(), opt, new DataLoader(new TensorDataset(ft, train.Targets), 128, shuffle: true, seed: seed), null, 15,
            new SchedulerCallback(new CosineAnnealingLR(opt, 15)));
        return Trainer.Evaluate(clf, new CrossEntropyLoss(), new DataLoader(new TensorDataset(fs, test.Targets), 1000)).Accuracy!.Value;
    }

    static Sequential Mlp(int hidden, Generator g) =>
        new(new Linear(784, hidden, gen: g), new Sigmoid(), new Linear(hidden, hidden, gen: g), new Sigmoid(), new Linear(hidden, 10, gen: g));

    /// <summary>An RBM's weight (hidden, visible) and hidden bias are a Linear layer's weight and bias, in PyTorch's layout.</summary>
    static void Copy(RestrictedBoltzmannMachine rbm, Linear layer)
    {
        using var _ = Autograd.NoGrad();
        rbm.Weight.AsReadOnlySpan().CopyTo(layer.Weight.AsSpan());
        rbm.HiddenBias.AsReadOnlySpan().CopyTo(layer.Bias!.AsSpan());
    }

    static double FineTune(Sequential model, TensorDataset train, TensorDataset test, Settings s)
    {
        var opt = new Adam(model.Parameters(), 1e-3f);
        Trainer.Fit(model, new CrossEntropyLoss(), opt, new DataLoader(train, 128, shuffle: true, seed: s.Seed), null, s.FineTuneEpochs,
            new SchedulerCallback(new CosineAnnealingLR(opt, s.FineTuneEpochs)));
        return Trainer.Evaluate(model, new CrossEntropyLoss(), new DataLoader(test, 1000)).Accuracy!.Value;
    }

    /// <summary>Five chains started at five test digits: the visible probabilities after 0, 1, 10, 100 and 1000 Gibbs steps.</summary>
    static List<float[]> GibbsChains(RestrictedBoltzmannMachine rbm, Tensor test, Generator gen)
    {
        using var _ = Autograd.NoGrad();
        var v = test.Slice(0, 0, 5).Contiguous();
        var snapshots = new Dictionary<int, float[]> { [0] = v.ToArray() };
        Tensor p = v;
        for (int step = 1; step <= 1000; step++)
        {
            var h = RestrictedBoltzmannMachine.Sample(rbm.HiddenProbabilities(v), gen);
            p = rbm.VisibleProbabilities(h);
            v = RestrictedBoltzmannMachine.Sample(p, gen);
            if (step is 1 or 10 or 100 or 1000) snapshots[step] = p.ToArray();
        }
        var tiles = new List<float[]>();
        for (int chain = 0; chain < 5; chain++)
            foreach (int step in new[] { 0, 1, 10, 100, 1000 }) tiles.Add(snapshots[step].AsSpan(chain * 784, 784).ToArray());
        return tiles;
    }
}
