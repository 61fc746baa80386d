using Sinapse.Data;

namespace Sinapse.Bench;

/// <summary>
/// TTA-CHAR, WORKLOADS.md's "char-LSTM" row: Embedding(V, 64) → LSTM(64 → 256) → Linear(256, V) on Moby Dick (the
/// last 10% held out), 32 streams of 128-character chunks trained by truncated BPTT (state carried, detached), Adam
/// 2e-3, gradient norm clipped at 5, for a wall-clock budget of training steps; then held-out bits per character
/// (not timed). Both engines read the same ids, chunk for chunk, from Sinapse's <see cref="CharStreams"/>.
/// </summary>
public static class CharTta
{
    public const int Streams = 32, Steps = 128, EmbeddingDim = 64, Hidden = 256;
    public const float LearningRate = 2e-3f, ClipNorm = 5f;

    /// <summary>The budget in seconds: --budget, else 600 (10 s with --quick).</summary>
    public static double Budget(RunSettings s) => s.BudgetSeconds ?? (s.Quick ? 10 : 600);

    public sealed record Data(CharVocabulary Vocab, CharStreams Train, CharStreams HeldOut);

    public static Data Load()
    {
        var text = TextCorpus.LoadShipped("moby-dick");
        var vocab = CharVocabulary.FromText(text);
        var ids = vocab.Encode(text);
        int split = (int)(ids.Length * 0.9);
        return new Data(vocab, new CharStreams(ids[..split], Streams, Steps), new CharStreams(ids[split..], Streams, Steps));
    }

    /// <summary>Held-out text is scored after each tenth of the budget (not timed); training then goes on from a fresh state.</summary>
    public const int Checkpoints = 10;

    /// <summary>
    /// Result lines: tokens/s while training, tokens trained, held-out bits per character at each checkpoint (by its
    /// share of the budget), the best of them, and at the end of the budget.
    /// </summary>
    public static IEnumerable<(string, double, string)> Lines(double budget, double seconds, long tokens, IReadOnlyList<double> heldOutNats)
    {
        yield return ("train tokens/s", tokens / seconds, "tokens/s");
        yield return ("tokens trained", tokens, "tokens");
        for (int k = 0; k < heldOutNats.Count; k++)
            yield return ($"held-out bits/char at {budget * (k + 1) / Checkpoints:0} s", heldOutNats[k] / Math.Log(2), "bpc");
        yield return ("best held-out bits/char", heldOutNats.Min() / Math.Log(2), "bpc");
        yield return ("held-out bits/char", heldOutNats[^1] / Math.Log(2), "bpc");
    }
}
