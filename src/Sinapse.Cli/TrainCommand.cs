using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Sinapse.Vision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public class Settings : DataSettings
    {
        [CommandOption("--model <NAME>"), Description("mlp (784-256-128-10; on a table: one hidden layer of 16), linear, mlp:H1,H2,…, lenet (LeNet-5), cnn (conv-BN-ReLU-pool ×2, dropout, dense), autoencoder[[:conv]], gan, dcgan, cgan and cdcgan (the two conditioned on the digit), infogan (a DCGAN with a 10-valued code, no labels) or charlstm (character LSTM language model, with --data text:NAME|FILE). Default: mlp.")]
        public string Model { get; init; } = "mlp";

        [CommandOption("--epochs <N>"), Description("Training epochs. Default: 12 (lenet, and cnn on fashion-mnist: 20; charlstm: 100, within --minutes; a table: 300, with early stopping).")]
        public int? EpochsOption { get; init; }

        public bool IsTextModel => Model == "charlstm";

        /// <summary>The epochs to train: as given, else 20 for LeNet-5 (which needs them to reach its published 0.9905), 100 for the char model (bounded by its time budget) and 12 otherwise.</summary>
        public int Epochs => EpochsOption ?? (Model == "lenet" || (Model == "cnn" && Data == "fashion-mnist") ? 20 : IsTextModel ? 100 : 12);

        [CommandOption("--image-size <N>"), Description("An image folder (--data DIR with one subfolder per class): resize every image to N×N. Default: the images' most common size.")]
        public int? ImageSize { get; init; }

        [CommandOption("--batch-size <N>"), Description("Mini-batch size (charlstm: parallel text streams). Default: 128 (charlstm: 32; the GANs: 64; a table: 16).")]
        public int? BatchSizeOption { get; init; }
        public bool IsGan => GanTraining.Handles(Model);
        public int BatchSize => BatchSizeOption ?? (IsTextModel ? 32 : IsGan ? 64 : 128);

        [CommandOption("--lr <RATE>"), Description("Learning rate (the GANs: the generator's). Default: 0.001 (charlstm: 0.002; gan, cgan, cdcgan: 0.0002; a table: 0.003).")]
        public float? LearningRateOption { get; init; }
        public float LearningRate => LearningRateOption ?? (IsTextModel ? 2e-3f : IsGan && !IsGeneratorFavouredGan ? 2e-4f : 1e-3f);

        /// <summary>
        /// dcgan and infogan help their generator against the discriminator: 5× its rate (1e-3 against 2e-4, InfoGAN's
        /// rates) and two steps per discriminator step. With equal rates and one step each the discriminator wins early
        /// and the samples stay poor.
        /// </summary>
        public bool IsGeneratorFavouredGan => Model is "dcgan" or "infogan";

        [CommandOption("--minutes <M>"), Description("Stop training after this many minutes of training steps. Default: none (charlstm: 10).")]
        public double? MinutesOption { get; init; }
        public double? Minutes => MinutesOption ?? (IsTextModel ? 10 : null);

        [CommandOption("--optimizer <NAME>"), Description("adam, adamw, sgd, rmsprop, adagrad, rprop or quickprop (the last two full-batch). Default: adam.")]
        public string Optimizer { get; init; } = "adam";

        [CommandOption("--schedule <NAME>"), Description("Learning-rate schedule: cosine, step or none. Default: cosine (charlstm: none).")]
        public string? ScheduleOption { get; init; }
        public string Schedule => ScheduleOption ?? (IsTextModel ? "none" : "cosine");

        [CommandOption("--seed <N>"), Description("Seed of weights, shuffling and the validation split. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--val-split <FRACTION>"), Description("Fraction of the training images held out for validation. Default: 0.05.")]
        public float ValSplit { get; init; } = 0.05f;

        [CommandOption("--augment <SPEC>"), Description("Augment training images per batch, e.g. shift=2,rotate=10 (pixels, degrees) or shift=2,flip. Default: none.")]
        public string? Augment { get; init; }

        [CommandOption("--out <DIR>"), Description("Run folder to write. Default: runs/<date-time>.")]
        public string? Out { get; init; }

        [CommandOption("--target <COLUMN>"), Description("With --data csv:FILE: the column to predict (name or 1-based number).")]
        public string? Target { get; init; }

        [CommandOption("--task <KIND>"), Description("With a table: classification or regression. Default: classification for a text target or few integer values, else regression.")]
        public string? Task { get; init; }

        [CommandOption("--weight-decay <LAMBDA>"), Description("L2 penalty λ (added to the gradient; decoupled with --optimizer adamw). Default: 0.")]
        public float WeightDecay { get; init; }

        [CommandOption("--dropout <P>"), Description("Dropout after each hidden layer of an MLP. Default: 0.")]
        public float Dropout { get; init; }

        [CommandOption("--l1 <LAMBDA>"), Description("L1 penalty λ·Σ|w| on the weight matrices (tables); the share of near-zero weights is reported. Default: 0.")]
        public float L1 { get; init; }

        [CommandOption("--max-norm <C>"), Description("Rescale each unit's incoming weights to norm ≤ C after every step (tables). Default: none.")]
        public float? MaxNorm { get; init; }

        [CommandOption("--code <N>"), Description("Autoencoder: size of the code. Default: 32.")]
        public int Code { get; init; } = 32;

        [CommandOption("--noise <SIGMA>"), Description("Autoencoder: Gaussian noise added to the inputs only (a denoising autoencoder). Default: 0.")]
        public float Noise { get; init; }

        [CommandOption("--generator-steps <N>"), Description("the GANs: generator updates per discriminator update. Default: 2 for dcgan and infogan (their discriminator wins otherwise), 1 for the others.")]
        public int? GeneratorStepsOption { get; init; }
        public int GeneratorSteps => GeneratorStepsOption ?? (IsGeneratorFavouredGan ? 2 : 1);

        [CommandOption("--info-weight <LAMBDA>"), Description("infogan: the weight λ of the code's cross-entropy in both players' losses. Default: 2 (with 1 the code more often comes to stand for a style than for a digit).")]
        public float? InfoWeightOption { get; init; }
        public float InfoWeight => InfoWeightOption ?? (Model == "infogan" ? 2f : 1f);

        [CommandOption("--ema <DECAY>"), Description("the GANs: average the generator's weights after each step with this decay and sample (and save) the average; 0 for none. Default: 0.999.")]
        public float? EmaOption { get; init; }
        public float Ema => EmaOption ?? (IsGan ? 0.999f : 0);

        [CommandOption("--discriminator-lr <RATE>"), Description("the GANs: the discriminator's learning rate. Default: 0.0002 for dcgan and infogan, --lr for the others.")]
        public float? DiscriminatorLearningRate { get; init; }
        public float DiscriminatorRate => DiscriminatorLearningRate ?? (IsGeneratorFavouredGan ? 2e-4f : LearningRate);

        [CommandOption("--distributed"), Description("Data-parallel training over the processes started by mpirun (Open MPI): mpirun -np N sinapse train --distributed …; --batch-size is the global batch, each rank takes its share and one thread unless --threads; rank 0 writes the run folder.")]
        public bool Distributed { get; init; }

        [CommandOption("--batch-blocks <N>"), Description("Sum the gradients over each batch in N contiguous blocks added in order, as N data-parallel processes do: one process with --batch-blocks 2 trains the same weights, bit for bit, as mpirun -np 2 … --distributed. Default: 1.")]
        public int BatchBlocks { get; init; } = 1;

        [CommandOption("--resume <RUN>"), Description("Continue the run in folder RUN from its last completed epoch (its settings.json and checkpoint.safetensors); it ends as the uninterrupted run would.")]
        public string? Resume { get; init; }

        public override ValidationResult Validate()
        {
            if (Epochs < 1) return ValidationResult.Error($"--epochs must be at least 1, got {Epochs}.");
            if (BatchSize < 1) return ValidationResult.Error($"--batch-size must be at least 1, got {BatchSize}.");
            if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) return ValidationResult.Error($"--lr must be a positive number, got {LearningRate}.");
            if (Minutes is double m && !(m > 0)) return ValidationResult.Error($"--minutes must be positive, got {m}.");
            if (base.Validate() is { Successful: false } common) return common;
            if (ValSplit is < 0 or >= 1) return ValidationResult.Error($"--val-split must be in [0, 1), got {ValSplit}.");
            if (Optimizer is not ("adam" or "adamw" or "sgd" or "rmsprop" or "adagrad" or "rprop" or "quickprop")) return ValidationResult.Error($"--optimizer: unknown optimizer '{Optimizer}' (adam, adamw, sgd, rmsprop, adagrad, rprop, quickprop).");
            if (!(WeightDecay >= 0)) return ValidationResult.Error($"--weight-decay must be non-negative, got {WeightDecay}.");
            if (Code < 1) return ValidationResult.Error($"--code must be at least 1, got {Code}.");
            if (GeneratorSteps < 1) return ValidationResult.Error($"--generator-steps must be at least 1, got {GeneratorSteps}.");
            if (!(InfoWeight >= 0) || !float.IsFinite(InfoWeight)) return ValidationResult.Error($"--info-weight must be a finite number ≥ 0, got {InfoWeight}.");
            if (!(Noise >= 0)) return ValidationResult.Error($"--noise must be non-negative, got {Noise}.");
            if (Ema is < 0 or >= 1) return ValidationResult.Error($"--ema must be in [0, 1), got {Ema}.");
            if (!(L1 >= 0)) return ValidationResult.Error($"--l1 must be non-negative, got {L1}.");
            if (MaxNorm is float c && !(c > 0)) return ValidationResult.Error($"--max-norm must be positive, got {c}.");
            if (Dropout is < 0 or >= 1) return ValidationResult.Error($"--dropout must be in [0, 1), got {Dropout}.");
            if (Task is not (null or "classification" or "regression")) return ValidationResult.Error($"--task: '{Task}' is not classification or regression.");
            if (BatchBlocks < 1) return ValidationResult.Error($"--batch-blocks must be at least 1, got {BatchBlocks}.");
            if (BatchBlocks > 1 && Distributed) return ValidationResult.Error("--batch-blocks is for one-process runs: each process of a --distributed run sums its own block of every batch.");
            if (Schedule is not ("cosine" or "step" or "none")) return ValidationResult.Error($"--schedule: unknown schedule '{Schedule}' (cosine, step, none).");
            try { if (Augment != null) ParseAugment(Augment, 0); }
            catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Distributed) MpiJob.Join(s.Threads);
        Sinapse.Settings.BatchBlocks = s.BatchBlocks;
        if (s.Resume != null)
        {
            if (s.Out != null && Path.GetFullPath(s.Out) != Path.GetFullPath(s.Resume)) throw new ArgumentException("--resume RUN writes to RUN; leave out --out.");
            s = RunSettings.Load(s.Resume, s);
            AnsiConsole.MarkupLine($"resuming [blue]{Markup.Escape(s.Resume!)}[/] with its settings.json");
        }
        if (s.IsTextModel || s.Data?.StartsWith("text:") == true) return CharModelTraining.Run(s);
        if (TabularTraining.Handles(s.Data)) return TabularRun.Run(s);
        if (AutoencoderTraining.Handles(s.Model)) return AutoencoderTraining.Run(s);
        if (GanTraining.Handles(s.Model)) return GanTraining.Run(s);
        var (dataDir, mean, std) = s.Apply();
        var outDir = RunFolder.Choose(s.Out);
        Directory.CreateDirectory(outDir);
        RunSettings.Save(s, outDir);

        AnsiConsole.MarkupLine($"[bold]Sinapse[/] training [green]{Markup.Escape(s.Model)}[/] on {Markup.Escape(s.DataName)} ({Markup.Escape(dataDir)}), {Sinapse.Settings.Threads} thread(s), seed {s.Seed}");
        TensorDataset trainAll, test;
        string[]? classNames = s.Data == "fashion-mnist" ? FashionClasses : null;
        float fill = -mean / std;
        if (ImageFolderData.Handles(s.Data))
        {
            ImageFolderData.Preprocessing folder;
            (trainAll, test, folder) = ImageFolderData.Load(dataDir, s.Seed, s.ImageSize);
            folder.Save(Path.Combine(outDir, ImageFolderData.InputJson));
            classNames = folder.Classes;
            fill = -folder.Mean[0] / folder.Std[0];
            AnsiConsole.MarkupLine(Markup.Escape(ImageFolderData.Describe(folder, trainAll.Count, test.Count)));
        }
        else (trainAll, test) = Mnist.Load(dataDir, mean, std);
        int[] inputShape = trainAll.Inputs.Shape[1..];
        int classCount = classNames?.Length ?? (int)trainAll.Targets.Max().Item() + 1;
        if (!ImageFolderData.Handles(s.Data))
            // predict reads pictures with the set's own normalisation and names its classes.
            new ImageFolderData.Preprocessing(inputShape[0], inputShape[1], inputShape[2], [mean], [std],
                classNames ?? Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), s.Seed, "idx")
                .Save(Path.Combine(outDir, ImageFolderData.InputJson));
        var spec = ModelSpec.Parse(s.Model, inputShape, Math.Max(classCount, 2), dropout: s.Dropout);
        Dataset<(Tensor Input, Tensor Target)> train = trainAll, validation = test;
        bool heldOut = s.ValSplit > 0;
        if (heldOut) (train, validation) = trainAll.Split(s.ValSplit, s.Seed);
        AnsiConsole.MarkupLine($"{train.Count:N0} training images, {validation.Count:N0} {(heldOut ? "held-out validation" : "validation (= test)")} images, {test.Count:N0} test images");

        var model = spec.Build(new Generator(s.Seed));
        var summary = model.Summary([1, .. inputShape]);
        AnsiConsole.WriteLine(summary);
        RunFolder.WriteText(Path.Combine(outDir, RunReport.SummaryFile), summary);
        if (s.Optimizer is "rprop" or "quickprop")
            throw new ArgumentException($"--optimizer {s.Optimizer} is a full-batch method; use it on a table (--data iris, csv:FILE), not on MNIST's mini-batches.");
        var opt = MakeOptimizer(s.Optimizer, model.Parameters(), s.LearningRate, s.WeightDecay);
        var callbacks = new List<Callback>();
        if (Schedule(s, opt) is { } schedule) callbacks.Add(schedule);

        var loss = new CrossEntropyLoss();
        var augment = s.Augment != null ? ParseAugment(s.Augment, s.Seed, fill) : null;
        var trainLoader = new DataLoader(train, s.BatchSize, shuffle: true, seed: s.Seed)
        {
            Transform = augment != null ? b => (augment.Apply(b.Input), b.Target) : null,
        };
        if (augment != null) AugmentedPreview(train, s, outDir, fill);
        var valLoader = new DataLoader(validation, 1000);
        if (s.Minutes is double minutes) callbacks.Add(new TimeLimit(minutes * 60));
        callbacks.Add(new ModelCheckpoint(Path.Combine(outDir, "checkpoints")));
        callbacks.Add(new CsvLogger(Path.Combine(outDir, RunFolder.HistoryCsv)));
        callbacks.Add(augment != null ? RunSettings.Backup(outDir, s.Resume != null, ("augmentation", augment)) : RunSettings.Backup(outDir, s.Resume != null));
        var sw = Stopwatch.StartNew();
        var history = FitWithProgress(s.Epochs, trainLoader.BatchCount, callbacks, cbs => Trainer.Fit(model, loss, opt, trainLoader, valLoader, s.Epochs, MpiJob.Communicator, cbs));
        double seconds = sw.Elapsed.TotalSeconds;

        var testLoader = new DataLoader(test, 1000);
        var ev = Trainer.Evaluate(model, loss, testLoader);
        var (pred, actual) = Trainer.Predict(model, testLoader);
        var cm = new ConfusionMatrix(spec.Classes, pred, actual);

        model.Save(Path.Combine(outDir, RunFolder.Weights), new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "sinapse" });
        spec.Save(Path.Combine(outDir, RunFolder.ModelJson));
        RunFolder.WriteText(Path.Combine(outDir, RunFolder.HistoryCsv), history.ToCsv());
        RunFolder.WriteMetrics(Path.Combine(outDir, RunFolder.MetricsJson), [
            ("model", s.Model), ("optimizer", s.Optimizer), ("lr", s.LearningRate), ("batch_size", s.BatchSize), ("schedule", s.Schedule),
            ("epochs", history.Epochs.Count), ("seed", s.Seed), ("threads", Sinapse.Settings.Threads),
            ("train_loss", history.Epochs[^1].Loss), ("train_accuracy", history.Epochs[^1].Accuracy ?? 0f),
            ("val_loss", history.Epochs[^1].ValLoss ?? 0f), ("val_accuracy", history.Epochs[^1].ValAccuracy ?? 0f),
            ("test_loss", ev.Loss), ("test_accuracy", ev.Accuracy ?? 0f), ("seconds", seconds)]);
        Plots.Loss(history, Path.Combine(outDir, RunFolder.LossPng));
        Pictures.Confusion(cm, Path.Combine(outDir, RunFolder.ConfusionPng));

        RunReport.Write(outDir, $"{s.Model} on {s.DataName}: test accuracy {ev.Accuracy:P2}", SamplePredictions(model, test, classNames));
        Output.Confusion(cm, classNames);
        AnsiConsole.MarkupLine($"test accuracy [bold green]{ev.Accuracy:P2}[/] (loss {ev.Loss:F4}) after {history.Epochs.Count} epochs in {seconds:F1} s");
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }

    static readonly string[] FashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The first 24 test images with the model's most probable class, for the run report.</summary>
    static List<RunReport.Prediction> SamplePredictions(Sequential model, TensorDataset test, string[]? names)
    {
        var (x, y) = test.GetBatch(Enumerable.Range(0, Math.Min(24, test.Count)).ToArray());
        model.Eval();
        Tensor p;
        using (Autograd.NoGrad()) p = model.Call(x).Softmax(1);
        var probs = p.ToArray(); var labels = y.ToArray(); var pixels = x.ToArray();
        int c = p.Shape[1], hw = x.Shape[2] * x.Shape[3], per = x.Numel / x.Shape[0]; // the report shows the first channel
        string Name(int k) => names != null && k < names.Length ? names[k] : k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Enumerable.Range(0, labels.Length).Select(i =>
        {
            int best = Enumerable.Range(0, c).MaxBy(k => probs[i * c + k]);
            return new RunReport.Prediction(pixels.AsSpan(i * per, hw).ToArray(), x.Shape[2], x.Shape[3], Name(best), probs[i * c + best], Name((int)labels[i]));
        }).ToList();
    }

    /// <summary>The optimizer of --optimizer: SGD with momentum 0.9, Adam (default), AdamW, RMSprop, Adagrad, Rprop or Quickprop.</summary>
    internal static Optimizer MakeOptimizer(string name, IEnumerable<Tensor> parameters, float lr, float weightDecay) => name switch
    {
        "sgd" => new SGD(parameters, lr, momentum: 0.9f, weightDecay: weightDecay),
        "adamw" => new AdamW(parameters, lr, weightDecay: weightDecay),
        "rmsprop" => new RMSprop(parameters, lr, weightDecay: weightDecay),
        "adagrad" => new Adagrad(parameters, lr, weightDecay: weightDecay),
        "rprop" => new Rprop(parameters, lr),
        "quickprop" => weightDecay > 0 ? new Quickprop(parameters, lr, weightDecay: weightDecay) : new Quickprop(parameters, lr),
        _ => new Adam(parameters, lr, weightDecay: weightDecay),
    };

    /// <summary>The learning-rate schedule of --schedule over --epochs, or null for none.</summary>
    internal static Callback? Schedule(Settings s, Optimizer opt) => s.Schedule switch
    {
        "cosine" => new SchedulerCallback(new CosineAnnealingLR(opt, s.Epochs)),
        "step" => new SchedulerCallback(new StepLR(opt, Math.Max(1, s.Epochs / 3), 0.3f)),
        _ => null,
    };

    /// <summary>
    /// Runs <paramref name="fit"/> with <paramref name="callbacks"/> and a progress bar on a terminal (one line per
    /// epoch otherwise).
    /// </summary>
    internal static History FitWithProgress(int epochs, int batchCount, List<Callback> callbacks, Func<Callback[], History> fit)
    {
        if (!MpiJob.IsMain)
        {
            // The other ranks train and leave: rank 0 evaluates, plots and writes the run folder.
            fit([.. callbacks]);
            MpiJob.Leave();
        }
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            callbacks.Add(new LineCallback());
            return fit([.. callbacks]);
        }
        History history = null!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: (double)epochs * batchCount);
                callbacks.Add(new ProgressCallback(task, batchCount));
                history = fit([.. callbacks]);
            });
        return history;
    }

    sealed class ProgressCallback(ProgressTask task, int batches) : Callback
    {
        float lastAcc, lastLoss;
        public override void OnBatchEnd(TrainingContext ctx, BatchLogs logs)
        {
            // Exponential moving averages over recent batches, restarted each epoch.
            bool first = logs.Batch == 1;
            lastLoss = first ? logs.Loss : 0.9f * lastLoss + 0.1f * logs.Loss;
            lastAcc = first ? logs.Accuracy ?? 0 : 0.9f * lastAcc + 0.1f * (logs.Accuracy ?? 0);
            task.Increment(1);
            if (logs.Batch % 10 == 0 || logs.Batch == batches)
                task.Description = $"epoch {ctx.Epoch}/{ctx.Epochs} batch {logs.Batch}/{batches} loss {lastLoss:F4} acc {lastAcc:F3}";
        }

        public override void OnEpochEnd(TrainingContext ctx, EpochLogs l) => AnsiConsole.MarkupLine($"epoch {l.Epoch,2}: {Describe(l)}");
    }

    sealed class LineCallback : Callback
    {
        public override void OnEpochEnd(TrainingContext ctx, EpochLogs l) => Console.WriteLine($"epoch {l.Epoch,2}/{ctx.Epochs}: {Describe(l)}");
    }

    /// <summary>An epoch's metrics on one line; accuracy only for a classifier, validation only when there is one.</summary>
    static string Describe(EpochLogs l) =>
        $"loss {l.Loss:F4}" + (l.Accuracy is float a ? $" acc {a:F4}" : "") +
        (l.ValLoss is float vl ? $"  val_loss {vl:F4}" + (l.ValAccuracy is float va ? $" val_acc {va:F4}" : "") : "") +
        (float.IsFinite(l.LearningRate) ? $"  lr {l.LearningRate:G3}" : "") + $"  {l.Seconds:F1} s";

    /// <summary>Parses "shift=N,rotate=DEG,flip"; the fill is the data's normalised black, so shifted-in pixels are background.</summary>
    internal static ImageAugmentation ParseAugment(string spec, ulong seed, float fill = -Mnist.Mean / Mnist.Std)
    {
        int shift = 0; float rotate = 0; bool flip = false;
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            switch (kv[0])
            {
                case "shift" when kv.Length == 2 && int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out shift) && shift <= 8: break;
                case "rotate" when kv.Length == 2 && float.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out rotate) && rotate is >= 0 and <= 180: break;
                case "flip" when kv.Length == 1: flip = true; break;
                default: throw new ArgumentException($"--augment: '{part}' in '{spec}' is not shift=PIXELS (0–8), rotate=DEGREES (0–180) or flip.");
            }
        }
        return new ImageAugmentation(shift, rotate, flip, fill, seed);
    }

    /// <summary>augmented.png: eight training images, each followed by three augmented versions (a separate generator, so training's draws are untouched).</summary>
    static void AugmentedPreview(Dataset<(Tensor Input, Tensor Target)> train, Settings s, string outDir, float fill)
    {
        var preview = ParseAugment(s.Augment!, s.Seed + 1, fill);
        var x = train.GetBatch(Enumerable.Range(0, Math.Min(8, train.Count)).ToArray()).Input;
        var tiles = new List<float[]>();
        var versions = Enumerable.Range(0, 3).Select(_ => preview.Apply(x).ToArray()).ToArray();
        var original = x.ToArray();
        int h = x.Shape[2], w = x.Shape[3], size = h * w, per = x.Numel / x.Shape[0]; // the first channel of each image
        for (int i = 0; i < x.Shape[0]; i++)
        {
            tiles.Add(original.AsSpan(i * per, size).ToArray());
            foreach (var v in versions) tiles.Add(v.AsSpan(i * per, size).ToArray());
        }
        Directory.CreateDirectory(outDir);
        Pictures.Grid(tiles, h, w, Path.Combine(outDir, RunFolder.AugmentedPng), zoom: 3, caption: $"original, then 3 × --augment {s.Augment}", columns: 4);
    }
}
