namespace Sinapse.Kernels;

/// <summary>
/// A batch's convolution one sample per task: each sample's column matrix is built and multiplied while it is still in
/// the core's cache, and the product lands in the output's own (N, O, OH·OW) layout, so there is no reordering pass
/// between the GEMM's layout and the tensor's. One large GEMM over the whole batch (the path for a single sample)
/// writes (O, N·L) and has to swap it into (N, O, L) afterwards, and its column matrix is out of cache by the time it
/// is packed: split by sample, the CNN benchmark's (W3) training step ran 1.20–1.22× faster on two threads, 1.04× on one.
/// </summary>
/// <remarks>
/// Each sample's GEMM runs on the thread that owns the sample, with the same arithmetic as the whole-batch GEMM
/// (sums over the same k blocks), so the outputs are the same bit for bit whichever path or thread count ran them.
/// Matrices: cols (K, N·L) with K = C·KH·KW split into groups of kg rows; W (O, kg); y and dy (N, O, L).
/// </remarks>
internal static class ConvBySample
{
    /// <summary>
    /// Below this many output positions per sample a sample's product is too thin: each GEMM's panels are mostly
    /// padding and the weight gradient re-reads its whole (O, K) result for a few dozen terms per sample. Measured on
    /// the DCGAN's 7×7 layers (L = 49, batch 128): one whole-batch GEMM 1.11× / 1.25× faster (generator, 2 / 1 threads);
    /// W3's 11×11 layer (L = 121) is faster by sample.
    /// </summary>
    const int MinPositions = 64;

    /// <summary>
    /// Whether a batch of <paramref name="n"/> samples with <paramref name="positions"/> output positions each is split
    /// by sample: enough samples to keep every thread busy, and products wide enough to pay.
    /// </summary>
    public static bool Applies(int n, int positions)
    {
        int threads = Settings.Threads;
        return n > 1 && (n % threads == 0 || n >= 4 * threads) && SumsBySample(positions);
    }

    /// <summary>
    /// Whether the weight gradient sums sample by sample (<see cref="WeightGrad"/> reading dy as (N, O, L)) or as one
    /// GEMM over the whole batch (dy as (O, N·L)). It depends on the shape only, never on the thread count, so neither
    /// does the result.
    /// </summary>
    public static bool SumsBySample(int positions) => positions >= MinPositions;

    /// <summary>
    /// y (N, O, L) = W_g · cols_g per sample and group (+ bias, clamped at 0 when <paramref name="relu"/>); fills cols,
    /// which backward reads.
    /// </summary>
    public static void Forward(ConvGeometry g, int groups, float[] x, int xOff, float[] w, int wOff, float[]? b, int bOff,
        float[] cols, int colsOff, float[] y, int yOff, int o, bool relu)
    {
        int og = o / groups, kg = g.K / groups, l = g.L, nl = g.N * l;
        ParallelLoop.For(g.N, 1, (n0, n1) =>
        {
            for (int n = n0; n < n1; n++)
            {
                Im2Col.ExpandSample(g, n, x, xOff, cols, colsOff);
                int yn = yOff + n * o * l; // (O, L) of sample n
                if (b != null)
                    for (int r = 0; r < o; r++) y.AsSpan(yn + r * l, l).Fill(b[bOff + r]);
                for (int gi = 0; gi < groups; gi++)
                    Gemm.Multiply(og, l, kg, new Gemm.Operand(w, wOff + gi * og * kg, kg, 1),
                        new Gemm.Operand(cols, colsOff + gi * kg * nl + n * l, nl, 1), y, yn + gi * og * l, l, accumulate: b != null, relu);
            }
        }, align: 1);
    }

    /// <summary>
    /// dx[n] += the columns W_gᵀ · dy_g of sample n (kg, L) folded back onto the input, per sample; dcols (N, K, L) is
    /// scratch, each sample's part written and folded while in cache.
    /// </summary>
    public static void InputGrad(ConvGeometry g, int groups, float[] w, int wOff, float[] dy, int dyOff, int o, float[] dcols, int dcolsOff, float[] dx, int dxOff)
    {
        int og = o / groups, kg = g.K / groups, l = g.L;
        ParallelLoop.For(g.N, 1, (n0, n1) =>
        {
            for (int n = n0; n < n1; n++)
            {
                int dn = dcolsOff + n * g.K * l; // (K, L) of sample n
                for (int gi = 0; gi < groups; gi++)
                    Gemm.Multiply(kg, l, og, new Gemm.Operand(w, wOff + gi * og * kg, 1, kg),
                        new Gemm.Operand(dy, dyOff + n * o * l + gi * og * l, l, 1), dcols, dn + gi * kg * l, l, accumulate: false);
                Im2Col.FoldSample(g, n, dcols, dn, dx, dxOff);
            }
        }, align: 1);
    }

    /// <summary>
    /// dW_g (og, kg) (+)= Σ_n dy_g[n] (og, L) · cols_g[n]ᵀ (L, kg). With <see cref="SumsBySample"/> dy is (N, O, L) and
    /// the samples are added in order, the weight's columns split across threads (each sums every sample for its
    /// columns, so the order does not depend on the thread count); otherwise dy is (O, N·L) and one GEMM sums the whole
    /// batch (its k blocks do not depend on the thread count either). With few taps (kg &lt; og: a first layer's 1·3·3)
    /// the product runs transposed into <paramref name="scratch"/> (kg, og), so the GEMM's narrow side is not padded to
    /// a whole panel of columns, and is then added in transposed.
    /// </summary>
    public static void WeightGrad(ConvGeometry g, int groups, float[] dy, int dyOff, int o, float[] cols, int colsOff, float[] dw, int dwOff, bool overwrite, float[]? scratch, int scratchOff)
    {
        int og = o / groups, kg = g.K / groups, l = g.L, nl = g.N * l;
        if (!SumsBySample(l))
        {
            for (int gi = 0; gi < groups; gi++)
            {
                int gw = dwOff + gi * og * kg, gCols = colsOff + gi * kg * nl, gDy = dyOff + gi * og * nl;
                if (scratch == null)
                {
                    Gemm.Multiply(og, kg, nl, new Gemm.Operand(dy, gDy, nl, 1), new Gemm.Operand(cols, gCols, 1, nl), dw, gw, kg, accumulate: !overwrite);
                    continue;
                }
                Gemm.Multiply(kg, og, nl, new Gemm.Operand(cols, gCols, nl, 1), new Gemm.Operand(dy, gDy, 1, nl), scratch, scratchOff, og, accumulate: false);
                AddTransposed(scratch, scratchOff, dw, gw, og, kg, overwrite);
            }
            return;
        }
        for (int gi = 0; gi < groups; gi++)
        {
            int gw = dwOff + gi * og * kg, gCols = colsOff + gi * kg * nl, gDy = dyOff + gi * og * l;
            if (scratch == null)
            {
                ParallelLoop.For(kg, 64, (k0, k1) =>
                {
                    for (int n = 0; n < g.N; n++)
                        Gemm.Multiply(og, k1 - k0, l, new Gemm.Operand(dy, gDy + n * o * l, l, 1),
                            new Gemm.Operand(cols, gCols + k0 * nl + n * l, 1, nl), dw, gw + k0, kg, accumulate: !overwrite || n > 0);
                }, align: 16);
                continue;
            }
            for (int n = 0; n < g.N; n++)
                Gemm.Multiply(kg, og, l, new Gemm.Operand(cols, gCols + n * l, nl, 1),
                    new Gemm.Operand(dy, gDy + n * o * l, 1, l), scratch, scratchOff, og, accumulate: n > 0);
            AddTransposed(scratch, scratchOff, dw, gw, og, kg, overwrite);
        }
    }

    /// <summary>d (og, kg) (+)= t (kg, og)ᵀ.</summary>
    static void AddTransposed(float[] t, int tOff, float[] d, int dOff, int og, int kg, bool overwrite)
    {
        for (int r = 0; r < og; r++)
            for (int q = 0; q < kg; q++)
            {
                int at = dOff + r * kg + q;
                float v = t[tOff + q * og + r];
                d[at] = overwrite ? v : d[at] + v;
            }
    }
}
