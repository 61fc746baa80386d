using Sinapse.Training;

namespace Sinapse.Data;

/// <summary>
/// Iterates a dataset in mini-batches, optionally shuffled each epoch with a seeded generator (the same seed gives
/// the same batches), optionally dropping a last incomplete batch.
/// </summary>
public class DataLoader<TBatch> : IEnumerable<TBatch>, IStateful
{
    readonly Generator? gen;
    public Dataset<TBatch> Dataset { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }

    /// <summary>Applied to every batch as it is produced (augmentation, for example); null for none.</summary>
    public Func<TBatch, TBatch>? Transform { get; init; }

    public DataLoader(Dataset<TBatch> dataset, int batchSize, bool shuffle = false, ulong seed = 0, bool dropLast = false)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "DataLoader: batch size must be positive.");
        Dataset = dataset; BatchSize = batchSize; Shuffle = shuffle; DropLast = dropLast;
        if (shuffle) gen = new Generator(seed);
    }

    int shardRank, shardCount = 1;

    /// <summary>
    /// Makes every batch this process's part of the batch (data-parallel training, <see cref="Dataset{TBatch}.TryGetShard"/>):
    /// all processes shuffle alike (the same seed) and each takes its samples of each batch; (0, 1) undoes it.
    /// </summary>
    public void Shard(int rank, int count)
    {
        if (count < 1 || (uint)rank >= (uint)count) throw new ArgumentOutOfRangeException(nameof(rank), $"DataLoader.Shard: rank {rank} of {count} processes.");
        (shardRank, shardCount, Share) = (rank, count, 1);
    }

    /// <summary>The last batch's share of its whole batch: 1 unless sharded (<see cref="Shard"/>).</summary>
    public double Share { get; private set; } = 1;

    /// <summary>Number of batches per epoch.</summary>
    public int BatchCount => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    public IEnumerator<TBatch> GetEnumerator()
    {
        int n = Dataset.Count;
        int[] order = gen != null ? gen.Permutation(n) : Enumerable.Range(0, n).ToArray();
        for (int b = 0; b < BatchCount; b++)
        {
            int s = b * BatchSize, e = Math.Min(n, s + BatchSize);
            TBatch batch;
            if (shardCount == 1) batch = Dataset.GetBatch(order.AsSpan(s, e - s));
            else if (Dataset.TryGetShard(order.AsSpan(s, e - s), shardRank, shardCount, out batch, out var share)) Share = share;
            else continue;
            yield return Transform != null ? Transform(batch) : batch;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Saves the shuffling generator's position (between epochs: the next epoch's order follows from it).</summary>
    public void SaveState(TrainingState state, string prefix) { if (gen != null) state.Set(prefix + "generator", gen); }

    public void LoadState(TrainingState state, string prefix) { if (gen != null) state.GetGenerator(prefix + "generator", gen); }
}

/// <summary>A loader of (input, target) batches, the supervised case.</summary>
public sealed class DataLoader(Dataset<(Tensor Input, Tensor Target)> dataset, int batchSize, bool shuffle = false, ulong seed = 0, bool dropLast = false)
    : DataLoader<(Tensor Input, Tensor Target)>(dataset, batchSize, shuffle, seed, dropLast);
