namespace Sinapse.Data;

/// <summary>
/// A finite collection of samples fetched in batches of type <typeparamref name="TBatch"/>: (input, target) tensors,
/// unlabelled images (<see cref="UnlabelledDataset"/>), padded token sequences with their lengths
/// (<see cref="SequenceDataset"/>), or anything a custom <see cref="Training.TrainingTask{TBatch}"/> consumes.
/// </summary>
public abstract class Dataset<TBatch>
{
    /// <summary>Number of samples.</summary>
    public abstract int Count { get; }

    /// <summary>The samples at <paramref name="indices"/> as one batch (stacked along a new first dimension).</summary>
    public abstract TBatch GetBatch(ReadOnlySpan<int> indices);

    /// <summary>
    /// Process <paramref name="rank"/>'s part of the batch at <paramref name="indices"/> when every batch is split
    /// among <paramref name="size"/> processes (data-parallel training): by default the contiguous block
    /// [rank·n/size, (rank + 1)·n/size) of the batch's n samples (the cut <see cref="Settings.BatchBlocks"/> uses, so
    /// that one process can sum its gradients as the group does), and <paramref name="share"/> its samples over the
    /// batch's. False when the batch has fewer samples than processes: every process then skips it.
    /// </summary>
    public virtual bool TryGetShard(ReadOnlySpan<int> indices, int rank, int size, out TBatch batch, out double share)
    {
        if (indices.Length < size) { batch = default!; share = 0; return false; }
        int first = BatchBlocks.Start(indices.Length, size, rank), end = BatchBlocks.Start(indices.Length, size, rank + 1);
        batch = GetBatch(indices[first..end]);
        share = (end - first) / (double)indices.Length;
        return true;
    }

    /// <summary>
    /// Splits off a validation set: a seeded shuffle, then the first (1 − <paramref name="validationFraction"/>)
    /// for training and the rest for validation.
    /// </summary>
    public (Dataset<TBatch> Train, Dataset<TBatch> Validation) Split(float validationFraction, ulong seed = 0)
    {
        if (validationFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "Split: fraction must be in (0, 1).");
        var perm = new Generator(seed).Permutation(Count);
        int nVal = (int)Math.Round(Count * validationFraction);
        return (new Subset<TBatch>(this, perm[nVal..]), new Subset<TBatch>(this, perm[..nVal]));
    }

    /// <summary>Checks that every index names a sample.</summary>
    protected void CheckIndices(ReadOnlySpan<int> indices)
    {
        foreach (int k in indices)
            if ((uint)k >= (uint)Count) throw new IndexOutOfRangeException($"{GetType().Name}: sample {k} does not exist (count {Count}).");
    }
}

/// <summary>A data set of (input, target) tensor pairs, the supervised case.</summary>
public abstract class Dataset : Dataset<(Tensor Input, Tensor Target)>
{
    /// <summary>One sample (without the batch dimension).</summary>
    public (Tensor Input, Tensor Target) this[int index]
    {
        get
        {
            var (x, y) = GetBatch([index]);
            return (x.Squeeze(0), y.Squeeze(0));
        }
    }
}

/// <summary>Samples are rows of two tensors: inputs (N, …) and targets (N, …).</summary>
public sealed class TensorDataset : Dataset
{
    public Tensor Inputs { get; }
    public Tensor Targets { get; }

    public TensorDataset(Tensor inputs, Tensor targets)
    {
        if (inputs.Rank == 0 || targets.Rank == 0 || inputs.Shape[0] != targets.Shape[0])
            throw new ArgumentException($"TensorDataset: inputs {ShapeUtil.Str(inputs.Shape)} and targets {ShapeUtil.Str(targets.Shape)} must have the same first dimension.");
        Inputs = inputs.Detach().Contiguous();
        Targets = targets.Detach().Contiguous();
    }

    public override int Count => Inputs.Shape[0];

    public override (Tensor Input, Tensor Target) GetBatch(ReadOnlySpan<int> indices)
    {
        CheckIndices(indices);
        return (Rows(Inputs, indices), Rows(Targets, indices));
    }

    /// <summary>The rows <paramref name="indices"/> of <paramref name="src"/> (contiguous), stacked.</summary>
    internal static Tensor Rows(Tensor src, ReadOnlySpan<int> indices)
    {
        int row = src.Numel / Math.Max(src.Shape[0], 1);
        var shape = (int[])src.Shape.Clone(); shape[0] = indices.Length;
        var o = Tensor.Empty(shape);
        var s = src.AsReadOnlySpan(); var d = o.AsSpan();
        for (int i = 0; i < indices.Length; i++) s.Slice(indices[i] * row, row).CopyTo(d.Slice(i * row, row));
        return o;
    }
}

/// <summary>Samples without labels (an autoencoder's or a GAN's images): rows of one tensor (N, …).</summary>
public sealed class UnlabelledDataset(Tensor inputs) : Dataset<Tensor>
{
    public Tensor Inputs { get; } = inputs.Rank > 0 ? inputs.Detach().Contiguous()
        : throw new ArgumentException("UnlabelledDataset: inputs need a first (sample) dimension.");

    public override int Count => Inputs.Shape[0];

    public override Tensor GetBatch(ReadOnlySpan<int> indices)
    {
        CheckIndices(indices);
        return TensorDataset.Rows(Inputs, indices);
    }
}

/// <summary>A view of some samples of another dataset.</summary>
public sealed class Subset<TBatch>(Dataset<TBatch> source, int[] indices) : Dataset<TBatch>
{
    public override int Count => indices.Length;
    public override TBatch GetBatch(ReadOnlySpan<int> idx)
    {
        CheckIndices(idx);
        var mapped = new int[idx.Length];
        for (int i = 0; i < idx.Length; i++) mapped[i] = indices[idx[i]];
        return source.GetBatch(mapped);
    }
}
