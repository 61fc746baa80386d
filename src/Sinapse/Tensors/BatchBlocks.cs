namespace Sinapse;

/// <summary>
/// Sums over a batch taken in contiguous blocks (<see cref="Settings.BatchBlocks"/>): each block's sum starts from
/// zero and the block sums are added in block order. A data-parallel process holding block r of every batch forms
/// block r's sum, and the all-reduce adds them; a one-process run that cuts its batches into as many blocks does the
/// same additions, so the two agree bit for bit (with two processes, whose all-reduce is one commutative addition).
/// </summary>
internal static class BatchBlocks
{
    /// <summary>First sample of block <paramref name="i"/> of <paramref name="blocks"/> over <paramref name="samples"/> (i = blocks gives the end). Data-parallel shards use the same cut.</summary>
    public static int Start(int samples, int blocks, int i) => (int)((long)i * samples / blocks);

    /// <summary>Blocks for a batch of <paramref name="samples"/>: the setting, or 1 when there are fewer samples than blocks.</summary>
    public static int For(int samples) => Settings.BatchBlocks <= samples ? Settings.BatchBlocks : 1;

    /// <summary>A block's sum over rows [first, first + count) into c at offset co, added to it when add, else written.</summary>
    public delegate void BlockSum(int first, int count, float[] c, int co, bool add);

    /// <summary>
    /// c[co, co + length) (+)= the sum over all rows, as block sums added in order; rows come in samples of
    /// <paramref name="rowsPerSample"/> rows, and blocks are cut between samples. With overwrite c's values stand
    /// for zeros.
    /// </summary>
    public static void Sum(float[] c, int co, int length, bool overwrite, int rows, int rowsPerSample, int blocks, BlockSum sum)
    {
        if (blocks == 1) { sum(0, rows, c, co, !overwrite); return; }
        int samples = rows / rowsPerSample;
        var part = overwrite ? null : System.Buffers.ArrayPool<float>.Shared.Rent(length);
        try
        {
            for (int b = 0; b < blocks; b++)
            {
                int first = Start(samples, blocks, b) * rowsPerSample, count = Start(samples, blocks, b + 1) * rowsPerSample - first;
                if (b == 0 && overwrite) { sum(first, count, c, co, false); continue; }
                part ??= System.Buffers.ArrayPool<float>.Shared.Rent(length);
                sum(first, count, part, 0, false);
                System.Numerics.Tensors.TensorPrimitives.Add(c.AsSpan(co, length), part.AsSpan(0, length), c.AsSpan(co, length));
            }
        }
        finally { if (part != null) System.Buffers.ArrayPool<float>.Shared.Return(part); }
    }
}
