namespace Sinapse.Data;

/// <summary>
/// A text cut for truncated backpropagation through time: the ids are split into <see cref="Streams"/> contiguous
/// streams, and batch k holds characters [k·T, (k+1)·T) of every stream, so that row r of batch k+1 continues row r of
/// batch k (what a <c>Stateful</c> recurrent layer expects). Targets are the next characters. Use with a DataLoader of
/// batch size 1 and no shuffling.
/// </summary>
/// <remarks>Shape: input (streams, T) of ids → target (streams·T) of the following ids, row by row.</remarks>
public sealed class CharStreams : Dataset<(Tensor Input, Tensor Target)>
{
    readonly int[] ids;
    readonly int streamLength;

    public int Streams { get; }
    public int Steps { get; }

    public CharStreams(int[] ids, int streams, int steps)
    {
        if (streams < 1 || steps < 1) throw new ArgumentException($"CharStreams: streams {streams} and steps {steps} must be positive.");
        streamLength = (ids.Length - 1) / streams;
        if (streamLength < steps)
            throw new ArgumentException($"CharStreams: {ids.Length} characters make {streams} streams of {streamLength}, shorter than {steps} steps; use fewer streams or steps.");
        (this.ids, Streams, Steps) = (ids, streams, steps);
    }

    /// <summary>Batches per pass: whole T-step chunks of each stream.</summary>
    public override int Count => streamLength / Steps;

    public override (Tensor Input, Tensor Target) GetBatch(ReadOnlySpan<int> indices) => Chunk(indices, 0, Streams);

    /// <summary>Shared among processes by streams: process r takes the r-th contiguous block of the streams of every chunk (each keeps its rows' recurrent state).</summary>
    public override bool TryGetShard(ReadOnlySpan<int> indices, int rank, int size, out (Tensor Input, Tensor Target) batch, out double share)
    {
        if (Streams < size) throw new ArgumentException($"CharStreams: {Streams} streams cannot be shared among {size} processes; use at least one stream per process.");
        int first = BatchBlocks.Start(Streams, size, rank);
        batch = Chunk(indices, first, BatchBlocks.Start(Streams, size, rank + 1) - first);
        share = batch.Input.Shape[0] / (double)Streams;
        return true;
    }

    /// <summary>Streams [first, first + count) of chunk indices[0].</summary>
    (Tensor Input, Tensor Target) Chunk(ReadOnlySpan<int> indices, int first, int count)
    {
        if (indices.Length != 1) throw new ArgumentException($"CharStreams: each batch is one chunk of all {Streams} streams; use a DataLoader with batch size 1 (got {indices.Length} indices).");
        int k = indices[0], rows = count;
        var x = new float[rows * Steps];
        var y = new float[rows * Steps];
        for (int i = 0; i < rows; i++)
        {
            int start = (first + i) * streamLength + k * Steps;
            for (int s = 0; s < Steps; s++)
            {
                x[i * Steps + s] = ids[start + s];
                y[i * Steps + s] = ids[start + s + 1];
            }
        }
        return (Tensor.FromArray(x, rows, Steps), Tensor.FromArray(y, rows * Steps));
    }
}
