using System.ComponentModel;
using Sinapse.Data;
using Sinapse.Generative;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse sample --model RUN [--count 64]</c>: samples from a trained GAN (sample.png) and scores 10,000 of them with
/// a frozen MNIST classifier trained by the library (kept in the run folder as judge.safetensors after the first use):
/// the Inception-style score, the share of each digit, and the Fréchet distance between the classifier's penultimate
/// features of the samples and of the 10,000 test images.
/// </summary>
internal sealed class SampleCommand : Command<SampleCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--model <RUN>"), Description("Run folder of train --model gan|cgan|dcgan|cdcgan|infogan.")]
        public string? Model { get; init; }

        [CommandOption("--count <N>"), Description("Samples drawn in sample.png. Default: 64.")]
        public int Count { get; init; } = 64;

        [CommandOption("--score <N>"), Description("Samples scored. Default: 10000.")]
        public int Score { get; init; } = 10000;

        [CommandOption("--digit <D>"), Description("cgan, cdcgan: draw only this digit in sample.png. Default: every digit, one per column.")]
        public int? Digit { get; init; }

        [CommandOption("--truncation <T>"), Description("Draw again every noise value beyond ±T (the truncation trick): more typical, less varied samples. Default: none.")]
        public float? Truncation { get; init; }

        [CommandOption("--seed <N>"), Description("Seed of the noise. Default: 7.")]
        public ulong Seed { get; init; } = 7;
    }

    public const string JudgeFile = "judge.safetensors";

    /// <summary>The judge: a small CNN (two conv-ReLU-pool blocks, 128 features, 10 classes) on MNIST in [−1, 1].</summary>
    public static Sequential Judge(Generator g) => new(
        new Conv2d(1, 32, 3, 1, 1, gen: g), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3, 1, 1, gen: g), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(64 * 7 * 7, 128, gen: g), new ReLU(), new Linear(128, 10, gen: g));

    /// <summary>Trains the judge for two epochs (seeded) or loads it from <paramref name="path"/>; returns it with its test accuracy.</summary>
    public static (Sequential Judge, double Accuracy) TrainOrLoadJudge(string path, TensorDataset train, TensorDataset test)
    {
        var judge = Judge(new Generator(11));
        if (File.Exists(path)) judge.Load(path);
        else
        {
            var opt = new Adam(judge.Parameters(), 1e-3f);
            var loader = new DataLoader(train, 128, shuffle: true, seed: 11);
            AnsiConsole.MarkupLine("training the judge (a CNN classifier, 2 epochs) …");
            TrainCommand.FitWithProgress(2, loader.BatchCount, [], cbs => Trainer.Fit(judge, new CrossEntropyLoss(), opt, loader, null, 2, cbs));
            judge.Save(path);
        }
        judge.Eval();
        return (judge, Trainer.Evaluate(judge, new CrossEntropyLoss(), new DataLoader(test, 1000)).Accuracy!.Value);
    }

    /// <summary>Class probabilities (N, 10) and penultimate features (N, 128) of images, in batches.</summary>
    public static (Tensor Probabilities, Tensor Features) Judge(Sequential judge, Tensor images)
    {
        var probs = new List<float>(); var feats = new List<float>();
        using (Autograd.NoGrad())
            for (int s = 0; s < images.Shape[0]; s += 1000)
            {
                var h = images.Slice(0, s, Math.Min(images.Shape[0], s + 1000));
                for (int i = 0; i < judge.Count - 1; i++) h = judge[i].Call(h);
                feats.AddRange(h.ToArray());
                probs.AddRange(judge[judge.Count - 1].Call(h).Softmax(1).ToArray());
            }
        int n = images.Shape[0];
        return (Tensor.FromArray(probs.ToArray(), n, 10), Tensor.FromArray(feats.ToArray(), n, feats.Count / n));
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Model == null) throw new ArgumentException("sample: pass --model RUN, the folder of a GAN run.");
        if (s.Count < 1 || s.Score < 10) throw new ArgumentException("sample: --count must be positive and --score at least 10.");
        if (s.Threads is int th) Sinapse.Settings.Threads = th;
        var (gan, model) = GanTraining.LoadRun(s.Model);
        RunFolder.Current = s.Model; // the report is rewritten with the samples and their scores
        if (s.Digit is int d && (gan.Classes == 0 || d < 0 || d >= gan.Classes))
            throw new ArgumentException(gan.Classes == 0 ? $"--digit: {model} is not conditional; train --model cgan or cdcgan to choose the digit." : $"--digit: {d} is not one of 0–{gan.Classes - 1}.");
        var noise = new Generator(s.Seed);
        GanTraining.SampleGrid(gan, gan.Noise(s.Count, noise, s.Truncation), Path.Combine(s.Model, "sample.png"),
            $"{s.Count} samples of {model}" + (s.Digit is int dd ? $", digit {dd}" : ""), s.Digit);
        var (train, test) = GanTraining.Load(s.Data);
        var (judge, judgeAcc) = TrainOrLoadJudge(Path.Combine(s.Model, JudgeFile), train, test);
        var samples = new List<float>();
        var codes = new List<int>(); // an InfoGAN's code of each scored sample
        for (int done = 0; done < s.Score; done += 1000)
        {
            int count = Math.Min(1000, s.Score - done);
            int[]? drawn = gan.Codes > 0 ? Enumerable.Range(0, count).Select(_ => noise.NextInt(gan.Codes)).ToArray() : null;
            if (drawn != null) codes.AddRange(drawn);
            samples.AddRange(gan.Sample(count, noise, drawn, s.Truncation).ToArray());
        }
        var (probs, feats) = Judge(judge, Tensor.FromArray(samples.ToArray(), s.Score, 1, 28, 28));
        var (realProbs, realFeats) = Judge(judge, test.Inputs);
        double realScore = SampleQuality.InceptionScore(realProbs);
        double score = SampleQuality.InceptionScore(probs), fid = SampleQuality.FrechetDistance(feats, realFeats);
        var shares = SampleQuality.ClassShares(probs);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] {s.Score:N0} samples of {model} from {Markup.Escape(s.Model)}, judged by a CNN with test accuracy {judgeAcc:P2}:");
        AnsiConsole.MarkupLine($"Inception-style score [bold green]{score:F2}[/] (of at most 10; the 10,000 test images score {realScore:F2}); Fréchet distance to the test set's features [bold]{fid:F2}[/]");
        AnsiConsole.MarkupLine("share of each digit: " + string.Join("  ", shares.Select((v, d) => $"{d}: {v:P1}")));
        // A conditional GAN drew the digits in turn: how often does the judge read the digit it was asked for?
        double? asked = null;
        if (gan.Classes > 0)
        {
            var p = probs.ToArray();
            asked = Enumerable.Range(0, s.Score).Count(i => Enumerable.Range(0, 10).MaxBy(c => p[i * 10 + c]) == i % gan.Classes) / (double)s.Score;
            AnsiConsole.MarkupLine($"the judge reads the digit asked for in [bold]{asked:P1}[/] of the samples");
        }
        double? codePurity = null;
        if (gan.Codes > 0)
        {
            // Which digit does each code value draw? The judge's most common reading per code, and how often.
            var p = probs.ToArray();
            var read = Enumerable.Range(0, s.Score).Select(i => Enumerable.Range(0, 10).MaxBy(c => p[i * 10 + c])).ToArray();
            var rows = Enumerable.Range(0, gan.Codes).Select(c =>
            {
                var digits = Enumerable.Range(0, s.Score).Where(i => codes[i] == c).Select(i => read[i]).ToArray();
                var top = digits.GroupBy(v => v).OrderByDescending(grp => grp.Count()).FirstOrDefault();
                return (Code: c, Digit: top?.Key ?? -1, Count: top?.Count() ?? 0, Total: digits.Length);
            }).ToArray();
            codePurity = rows.Sum(r => r.Count) / (double)s.Score;
            AnsiConsole.MarkupLine("code → digit the judge reads most (share): " + string.Join("  ", rows.Select(r => $"{r.Code}→{r.Digit} ({(r.Total == 0 ? 0 : r.Count / (double)r.Total):P0})")));
            AnsiConsole.MarkupLine($"codes agree with one digit each in [bold]{codePurity:P1}[/] of the samples (purity; the code was learnt without labels)");
        }
        RunFolder.WriteMetrics(Path.Combine(s.Model, "sample-metrics.json"), [("samples", s.Score), ("inception_score", score), ("frechet_distance", fid),
            ("judge_accuracy", judgeAcc), ("test_images_inception_score", realScore), .. shares.Select((v, d) => ($"share_{d}", (object)v)),
            .. (asked is double a ? new[] { ("asked_digit_read", (object)a) } : []),
            .. (codePurity is double cp ? new[] { ("code_purity", (object)cp) } : [])]);
        return 0;
    }
}
