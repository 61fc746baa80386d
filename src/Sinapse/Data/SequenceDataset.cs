namespace Sinapse.Data;

/// <summary>
/// A batch of variable-length token sequences: the tokens padded to the longest sequence of the batch, the true
/// lengths, and optional targets.
/// </summary>
/// <param name="Tokens">(B, T) token indices stored as floats (as class indices are), padded with the dataset's pad token.</param>
/// <param name="Lengths">(B) the number of real tokens of each sequence.</param>
/// <param name="Targets">(B, …) one target row per sequence, or null for unlabelled sequences.</param>
public sealed record SequenceBatch(Tensor Tokens, int[] Lengths, Tensor? Targets)
{
    /// <summary>(B, T) 1 where a token is real, 0 where it is padding.</summary>
    public Tensor Mask()
    {
        int b = Tokens.Shape[0], t = Tokens.Shape[1];
        var m = new float[b * t];
        for (int i = 0; i < b; i++) m.AsSpan(i * t, Lengths[i]).Fill(1f);
        return Tensor.FromArray(m, b, t);
    }
}

/// <summary>Integer token sequences of any lengths (sentences, character runs), with optional per-sequence targets.</summary>
public sealed class SequenceDataset : Dataset<SequenceBatch>
{
    readonly int[][] sequences;
    readonly Tensor? targets;

    /// <summary>The token that pads shorter sequences in a batch.</summary>
    public int PadToken { get; }

    public SequenceDataset(IReadOnlyList<int[]> sequences, Tensor? targets = null, int padToken = 0)
    {
        if (targets != null && (targets.Rank == 0 || targets.Shape[0] != sequences.Count))
            throw new ArgumentException($"SequenceDataset: {sequences.Count} sequences but targets of shape {ShapeUtil.Str(targets.Shape)}.");
        for (int i = 0; i < sequences.Count; i++)
            if (sequences[i] is null || sequences[i].Length == 0) throw new ArgumentException($"SequenceDataset: sequence {i} is empty.");
        this.sequences = sequences.Select(s => (int[])s.Clone()).ToArray();
        this.targets = targets?.Detach().Contiguous();
        PadToken = padToken;
    }

    public override int Count => sequences.Length;

    /// <summary>The tokens of sequence <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> Sequence(int index) => sequences[index];

    public override SequenceBatch GetBatch(ReadOnlySpan<int> indices)
    {
        CheckIndices(indices);
        int b = indices.Length, t = 0;
        var lengths = new int[b];
        for (int i = 0; i < b; i++) t = Math.Max(t, lengths[i] = sequences[indices[i]].Length);
        var tokens = new float[b * t];
        Array.Fill(tokens, PadToken);
        for (int i = 0; i < b; i++)
        {
            var s = sequences[indices[i]];
            for (int j = 0; j < s.Length; j++) tokens[i * t + j] = s[j];
        }
        return new SequenceBatch(Tensor.FromArray(tokens, b, t), lengths, targets != null ? TensorDataset.Rows(targets, indices) : null);
    }
}
