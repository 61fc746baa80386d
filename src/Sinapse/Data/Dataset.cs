namespace Sinapse.Data;

/// <summary>A finite collection of (input, target) samples that can be fetched in batches.</summary>
public abstract class Dataset
{
    /// <summary>Number of samples.</summary>
    public abstract int Count { get; }

    /// <summary>The samples at <paramref name="indices"/> stacked along a new first dimension.</summary>
    public abstract (Tensor Input, Tensor Target) GetBatch(ReadOnlySpan<int> indices);

    /// <summary>One sample (without the batch dimension).</summary>
    public (Tensor Input, Tensor Target) this[int index]
    {
        get
        {
            var (x, y) = GetBatch([index]);
            return (x.Squeeze(0), y.Squeeze(0));
        }
    }

    /// <summary>
    /// Splits off a validation set: a seeded shuffle, then the first (1 − <paramref name="validationFraction"/>)
    /// for training and the rest for validation.
    /// </summary>
    public (Dataset Train, Dataset Validation) Split(float validationFraction, ulong seed = 0)
    {
        if (validationFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "Split: fraction must be in (0, 1).");
        var perm = new Generator(seed).Permutation(Count);
        int nVal = (int)Math.Round(Count * validationFraction);
        return (new Subset(this, perm[nVal..]), new Subset(this, perm[..nVal]));
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

    public override (Tensor Input, Tensor Target) GetBatch(ReadOnlySpan<int> indices) => (Gather(Inputs, indices), Gather(Targets, indices));

    static Tensor Gather(Tensor src, ReadOnlySpan<int> indices)
    {
        int row = src.Size / Math.Max(src.Shape[0], 1);
        var shape = (int[])src.Shape.Clone(); shape[0] = indices.Length;
        var o = Tensor.Zeros(shape);
        var s = src.Span; var d = o.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            int k = indices[i];
            if ((uint)k >= (uint)src.Shape[0]) throw new IndexOutOfRangeException($"TensorDataset: sample {k} does not exist (count {src.Shape[0]}).");
            s.Slice(k * row, row).CopyTo(d.Slice(i * row, row));
        }
        return o;
    }
}

/// <summary>A view of some samples of another dataset.</summary>
public sealed class Subset(Dataset source, int[] indices) : Dataset
{
    public override int Count => indices.Length;
    public override (Tensor Input, Tensor Target) GetBatch(ReadOnlySpan<int> idx)
    {
        var mapped = new int[idx.Length];
        for (int i = 0; i < idx.Length; i++) mapped[i] = indices[idx[i]];
        return source.GetBatch(mapped);
    }
}

/// <summary>
/// Iterates a dataset in mini-batches, optionally shuffled each epoch with a seeded generator (the same seed
/// gives the same batches), optionally dropping a last incomplete batch.
/// </summary>
public sealed class DataLoader : IEnumerable<(Tensor Input, Tensor Target)>
{
    readonly Generator? gen;
    public Dataset Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }

    public DataLoader(Dataset dataset, int batchSize, bool shuffle = false, ulong seed = 0, bool dropLast = false)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "DataLoader: batch size must be positive.");
        Dataset = dataset; BatchSize = batchSize; Shuffle = shuffle; DropLast = dropLast;
        if (shuffle) gen = new Generator(seed);
    }

    /// <summary>Number of batches per epoch.</summary>
    public int BatchCount => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    public IEnumerator<(Tensor Input, Tensor Target)> GetEnumerator()
    {
        int n = Dataset.Count;
        int[] order = gen != null ? gen.Permutation(n) : Enumerable.Range(0, n).ToArray();
        for (int b = 0; b < BatchCount; b++)
        {
            int s = b * BatchSize, e = Math.Min(n, s + BatchSize);
            yield return Dataset.GetBatch(order.AsSpan(s, e - s));
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
