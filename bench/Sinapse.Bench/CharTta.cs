using Sinapse.Data;

namespace Sinapse.Bench;

/// <summary>
/// TTA-CHAR, WORKLOADS.md's "char-LSTM" row: Embedding(V, 64) → LSTM(64 → 256) → Linear(256, V) on Moby Dick (the
/// last 10% held out), 32 streams of 128-character chunks trained by truncated BPTT (state carried, detached), Adam
/// 2e-3, gradient norm clipped at 5, for a wall-clock budget of training steps. The 5% of the text before the held-out
/// part is a validation split: at each of ten checkpoints both splits are scored (not timed), and the result is the
/// held-out bits per character of the checkpoint with the lowest validation loss — the model a run that keeps its best
/// checkpoint ends with. Both engines read the same ids, chunk for chunk, from Sinapse's <see cref="CharStreams"/>.
/// </summary>
public static class CharTta
{
    public const int Streams = 32, Steps = 128, EmbeddingDim = 64, Hidden = 256;
    public const float LearningRate = 2e-3f, ClipNorm = 5f;

    /// <summary>The budget in seconds: --budget, else 600 (10 s with --quick).</summary>
    public static double Budget(RunSettings s) => s.BudgetSeconds ?? (s.Quick ? 10 : 600);

    public sealed record Data(CharVocabulary Vocab, CharStreams Train, CharStreams Validation, CharStreams HeldOut);

    public static Data Load()
    {
        var text = TextCorpus.LoadShipped("moby-dick");
        var vocab = CharVocabulary.FromText(text);
        var ids = vocab.Encode(text);
        int val = (int)(ids.Length * 0.85), test = (int)(ids.Length * 0.9);
        return new Data(vocab, new CharStreams(ids[..val], Streams, Steps), new CharStreams(ids[val..test], Streams, Steps),
            new CharStreams(ids[test..], Streams, Steps));
    }

    /// <summary>Validation and held-out text are scored after each tenth of the budget (not timed); training then goes on from a fresh state.</summary>
    public const int Checkpoints = 10;

    /// <summary>
    /// Result lines: tokens/s while training, tokens trained, held-out bits per character at each checkpoint (by its
    /// share of the budget), at the end of the budget, and at the checkpoint with the lowest validation loss (the result).
    /// </summary>
    public static IEnumerable<(string, double, string)> Lines(double budget, double seconds, long tokens,
        IReadOnlyList<double> validationNats, IReadOnlyList<double> heldOutNats)
    {
        yield return ("train tokens/s", tokens / seconds, "tokens/s");
        yield return ("tokens trained", tokens, "tokens");
        for (int k = 0; k < heldOutNats.Count; k++)
            yield return ($"held-out bits/char at {budget * (k + 1) / Checkpoints:0} s", heldOutNats[k] / Math.Log(2), "bpc");
        int best = 0;
        for (int k = 1; k < validationNats.Count; k++) if (validationNats[k] < validationNats[best]) best = k;
        yield return ("checkpoint chosen by validation", budget * (best + 1) / Checkpoints, "s");
        yield return ("held-out bits/char at the end of the budget", heldOutNats[^1] / Math.Log(2), "bpc");
        yield return ("held-out bits/char", heldOutNats[best] / Math.Log(2), "bpc");
    }

    /// <summary>Mean of <paramref name="chunkLoss"/> (nats) over a split's chunks read in order.</summary>
    public static double Score(CharStreams split, Func<int, double> chunkLoss)
    {
        double sum = 0;
        for (int k = 0; k < split.Count; k++) sum += chunkLoss(k);
        return sum / split.Count;
    }
}
