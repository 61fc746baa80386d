using System.Diagnostics;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse train --model charlstm --data text:NAME|FILE</c>: a character-level LSTM language model,
/// Embedding(V, 64) → LSTM(64 → 256, stateful) → Linear(256, V), trained by truncated backpropagation through time on
/// 128-character chunks of parallel text streams (Adam, gradient norm clipped at 5). The last 10% of the text is held
/// out; its bits per character are measured after every epoch, and the weights of the best epoch are kept.
/// </summary>
internal static class CharModelTraining
{
    public const int Steps = 128, EmbeddingDim = 64, Hidden = 256;
    public const float ClipNorm = 5f, HeldOutFraction = 0.1f;
    public const string VocabJson = "vocab.json", BpcPng = "bpc.png", SampleTxt = "sample.txt";

    /// <summary>The model for a vocabulary of <paramref name="vocab"/> characters: ids (B, T) → logits (B·T, V).</summary>
    public static Sequential Model(int vocab, Generator gen) => new(
        new Embedding(vocab, EmbeddingDim, gen: gen), new LSTM(EmbeddingDim, Hidden, gen: gen) { Stateful = true },
        new Linear(Hidden, vocab, gen: gen), new Flatten(0, 1));

    /// <summary>Reads text:NAME (a shipped text) or text:FILE (.txt or .txt.gz).</summary>
    public static (string Text, string Name) LoadText(string? data)
    {
        if (data == null || !data.StartsWith("text:") || data.Length == 5)
            throw new ArgumentException($"--model charlstm needs --data text:NAME (shipped: {string.Join(", ", TextCorpus.Shipped.Keys)}) or text:FILE, got '{data ?? "(none)"}'.");
        var what = data[5..];
        return TextCorpus.Shipped.ContainsKey(what) ? (TextCorpus.LoadShipped(what), what) : (TextCorpus.Load(what), Path.GetFileName(what));
    }

    public static int Run(TrainCommand.Settings s)
    {
        if (!s.IsTextModel) throw new ArgumentException($"--data {s.Data}: text data trains --model charlstm, not '{s.Model}'.");
        if (s.Threads is int th) Sinapse.Settings.Threads = th;
        var (text, name) = LoadText(s.Data);
        var vocab = CharVocabulary.FromText(text);
        var ids = vocab.Encode(text);
        int split = (int)(ids.Length * (1 - HeldOutFraction));
        int streams = s.BatchSize;
        var train = new CharStreams(ids[..split], streams, Steps);
        var heldOut = new CharStreams(ids[split..], Math.Min(streams, Math.Max(1, (ids.Length - split - 1) / Steps)), Steps);
        var outDir = RunFolder.Choose(s.Out);
        Directory.CreateDirectory(outDir);

        AnsiConsole.MarkupLine($"[bold]Sinapse[/] training [green]charlstm[/] on {Markup.Escape(name)}: {ids.Length:N0} characters, {vocab.Size} distinct, last {HeldOutFraction:P0} held out; {Sinapse.Settings.Threads} thread(s), seed {s.Seed}");
        var gen = new Generator(s.Seed);
        var model = Model(vocab.Size, gen);
        AnsiConsole.WriteLine(model.ToString());
        var opt = new Adam(model.Parameters(), s.LearningRate);
        var task = new SupervisedTask(model, new CrossEntropyLoss(), opt) { MaxGradNorm = ClipNorm };
        var callbacks = new List<Callback> { new BitsPerCharacter() };
        if (TrainCommand.Schedule(s, opt) is { } schedule) callbacks.Add(schedule);
        if (s.Minutes is double minutes) callbacks.Add(new TimeLimit(minutes * 60));
        var best = new ModelCheckpoint(Path.Combine(outDir, "checkpoints"));
        callbacks.Add(best);
        callbacks.Add(new CsvLogger(Path.Combine(outDir, RunFolder.HistoryCsv)));
        RunSettings.Save(s, outDir);
        callbacks.Add(RunSettings.Backup(outDir, s.Resume != null));
        var trainLoader = new DataLoader<(Tensor, Tensor)>(train, 1);
        var heldOutLoader = new DataLoader<(Tensor, Tensor)>(heldOut, 1);
        var sw = Stopwatch.StartNew();
        var history = TrainCommand.FitWithProgress(s.Epochs, trainLoader.BatchCount, callbacks, cbs => Trainer.Fit(task, trainLoader, heldOutLoader, s.Epochs, MpiJob.Communicator, cbs));
        double seconds = sw.Elapsed.TotalSeconds;

        // The weights kept are those of the epoch with the lowest held-out loss (the model overfits a short text).
        double last = history.Epochs[^1].ValLoss!.Value / Math.Log(2);
        model.Load(best.BestPath);
        double bpc = history.Epochs[best.BestEpoch - 1].ValLoss!.Value / Math.Log(2);
        var sample = TextGeneration.Generate(model, vocab, vocab.Contains('C') ? "Call me" : text[..1], 300, 0.8f, new Generator(s.Seed));
        model.Save(Path.Combine(outDir, RunFolder.Weights), new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "sinapse" });
        ModelSpec.Of(model, [Steps], vocab.Size).Save(Path.Combine(outDir, RunFolder.ModelJson));
        RunFolder.WriteText(Path.Combine(outDir, VocabJson), vocab.ToJson());
        RunFolder.WriteText(Path.Combine(outDir, SampleTxt), sample + "\n");
        RunFolder.WriteText(Path.Combine(outDir, RunFolder.HistoryCsv), history.ToCsv());
        RunFolder.WriteMetrics(Path.Combine(outDir, RunFolder.MetricsJson), [
            ("model", "charlstm"), ("data", name), ("characters", ids.Length), ("vocabulary", vocab.Size), ("streams", streams), ("steps", Steps),
            ("lr", s.LearningRate), ("epochs", history.Epochs.Count), ("seed", s.Seed), ("threads", Sinapse.Settings.Threads),
            ("train_loss", history.Epochs[^1].Loss), ("heldout_loss", history.Epochs[^1].ValLoss ?? 0f), ("heldout_bits_per_char", bpc),
            ("best_epoch", best.BestEpoch), ("last_heldout_bits_per_char", last), ("seconds", seconds)]);
        Plots.Loss(history, Path.Combine(outDir, RunFolder.LossPng));
        Plots.BitsPerCharacter(history, Path.Combine(outDir, BpcPng));

        AnsiConsole.MarkupLine($"held-out [bold green]{bpc:F3} bits per character[/] at epoch {best.BestEpoch} (weights kept; {last:F3} after the last, epoch {history.Epochs.Count}) in {seconds:F1} s");
        AnsiConsole.MarkupLine("sample (temperature 0.8):");
        AnsiConsole.WriteLine(sample);
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }

    /// <summary>Prints the held-out bits per character (validation cross-entropy / ln 2) after each epoch.</summary>
    sealed class BitsPerCharacter : Callback
    {
        public override void OnEpochEnd(TrainingContext ctx, EpochLogs l)
        {
            if (l.ValLoss is float v) AnsiConsole.MarkupLine($"epoch {l.Epoch,2}: held-out {v / Math.Log(2):F3} bits/char");
        }
    }
}
