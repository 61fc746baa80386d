using Sinapse.Kernels;

namespace Sinapse;

// 2-D convolution as im2col + GEMM, forward and backward side by side.
public sealed partial class Tensor
{
    /// <summary>
    /// 2-D cross-correlation (PyTorch's conv2d) with square stride, padding and dilation.
    /// Shape: x (N, C, H, W), weight (O, C/groups, KH, KW), bias (O) → (N, O, OH, OW) with
    /// OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1 (OW likewise).
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>
    /// 2-D cross-correlation with per-axis (height, width) stride, padding and dilation. Backward: the weight's gradient
    /// is ∂y·colsᵀ, the input's is Wᵀ·∂y folded back onto the input (col2im), the bias's the sum of ∂y over N, OH, OW.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1) =>
        Conv2d(x, weight, bias, stride, padding, dilation, groups, relu: false);

    /// <summary>
    /// The convolution, then ReLU when <paramref name="relu"/>, in one op: the GEMM clamps each output at 0 as it stores
    /// it, and backward masks the gradient by y &gt; 0, so the activation's own forward pass and the tensor between
    /// the two ops are saved. The same values, bit for bit, as the two ops one after the other.
    /// </summary>
    internal static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups, bool relu)
    {
        var g = Conv2dGeometry("Conv2d", x, weight, bias, stride, padding, dilation, groups);
        int o = weight.shape[0], og = o / groups, kg = g.K / groups, nl = g.N * g.L;
        var xc = x.IsContiguous ? x : x.NoGraph().Contiguous();
        var wc = weight.IsContiguous ? weight : weight.NoGraph().Contiguous();

        var bc = bias == null || bias.IsContiguous ? bias : bias.NoGraph().Contiguous();
        var cols = Uninitialized([g.K, nl]); // (C·KH·KW, N·OH·OW), saved for backward
        var output = Uninitialized([g.N, o, g.OH, g.OW]);
        bool bySample = ConvBySample.Applies(g.N, g.L);
        if (bySample)
            ConvBySample.Forward(g, groups, xc.data, xc.offset, wc.data, wc.offset, bc?.data, bc?.offset ?? 0, cols.data, cols.offset, output.data, output.offset, o, relu);
        else
        {
            Im2Col.Expand(g, xc.data, xc.offset, cols.data, cols.offset);
            // Each group: (og, N·L) = W_g (og, kg) · cols_g (kg, N·L). With one sample the GEMM writes the output directly.
            var yT = g.N == 1 ? output : Uninitialized([o, nl]);
            if (bc != null)
                for (int r = 0; r < o; r++) yT.data.AsSpan(yT.offset + r * nl, nl).Fill(bc.data[bc.offset + r]);
            for (int gi = 0; gi < groups; gi++)
                Gemm.Multiply(og, nl, kg, new Gemm.Operand(wc.data, wc.offset + gi * og * kg, kg, 1),
                    new Gemm.Operand(cols.data, cols.offset + gi * kg * nl, nl, 1), yT.data, yT.offset + gi * og * nl, nl, accumulate: bc != null, relu);
            if (g.N > 1) SwapLeadingAxes(yT, output, o, g.N, g.L);
        }

        var geo = g;
        return Autograd.Record(output, relu ? "Conv2dRelu" : "Conv2d", bias != null ? [x, weight, bias] : [x, weight], gOut =>
        {
            var gy = gOut.IsContiguous ? gOut : gOut.NoGraph().Contiguous();
            return Conv2dBackward(geo, groups, x, weight, bias, wc, cols, relu ? ApplyBinary<ReluGradOp>(output, gy, "Conv2dReluBackward") : gy, bySample);
        });
    }

    /// <summary>
    /// Conv2d's gradients from dy (N, O, L). The weight's and the bias's are summed in an order set by the shape alone
    /// (see <see cref="ConvBySample.SumsBySample"/>), so they do not depend on the thread count; the input's is per
    /// sample or one whole-batch GEMM, the same bits either way (both sum over the O filters in the same blocks).
    /// </summary>
    static Tensor?[] Conv2dBackward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor? bias, Tensor wc, Tensor cols, Tensor dy, bool bySample)
    {
        int o = weight.shape[0], og = o / groups, kg = g.K / groups, nl = g.N * g.L;
        Tensor? gx = null, gw = null, gb = null, dyT = null;
        // dy in the whole-batch GEMMs' (O, N·L) layout, made once if a whole-batch product needs it.
        Tensor DyT()
        {
            if (dyT != null) return dyT;
            dyT = g.N == 1 ? dy : Uninitialized([o, nl]);
            if (g.N > 1) SwapLeadingAxes(dy, dyT, g.N, o, g.L);
            return dyT;
        }
        if (weight.RequiresGrad)
        {
            var dwT = kg < og ? Uninitialized([kg, og]) : null;
            var source = ConvBySample.SumsBySample(g.L) ? dy : DyT();
            void Into(float[] d, int off, bool overwrite) =>
                ConvBySample.WeightGrad(g, groups, source.data, source.offset, o, cols.data, cols.offset, d, off, overwrite, dwT?.data, dwT?.offset ?? 0);
            if (!AccumulateInPlace(weight, dy, Into))
            {
                gw = Uninitialized(weight.shape);
                Into(gw.data, gw.offset, overwrite: true);
            }
        }
        if (bias != null && bias.RequiresGrad)
        {
            gb = Zeros([o]);
            for (int n = 0; n < g.N; n++)
                for (int r = 0; r < o; r++) gb.data[gb.offset + r] += RowSum(dy.data.AsSpan(dy.offset + (n * o + r) * g.L, g.L));
        }
        if (x.RequiresGrad && bySample)
        {
            var dcols = Uninitialized([g.N, g.K, g.L]);
            gx = Zeros(x.shape);
            ConvBySample.InputGrad(g, groups, wc.data, wc.offset, dy.data, dy.offset, o, dcols.data, dcols.offset, gx.data, gx.offset);
        }
        else if (x.RequiresGrad)
        {
            // dcols_g (kg, N·L) = W_gᵀ (kg, og) · ∂y_g (og, N·L) over the whole batch (all cores in one GEMM), folded
            // back onto the input.
            var t = DyT();
            var dcols = Uninitialized([g.K, nl]);
            for (int gi = 0; gi < groups; gi++)
                Gemm.Multiply(kg, nl, og, new Gemm.Operand(wc.data, wc.offset + gi * og * kg, 1, kg),
                    new Gemm.Operand(t.data, t.offset + gi * og * nl, nl, 1), dcols.data, dcols.offset + gi * kg * nl, nl, accumulate: false);
            gx = Zeros(x.shape);
            Im2Col.Fold(g, dcols.data, dcols.offset, gx.data, gx.offset);
        }
        return bias != null ? [gx, gw, gb] : [gx, gw];
    }

    /// <summary>Checks the operands of a convolution and returns its geometry; errors name the op, the shapes and why.</summary>
    internal static ConvGeometry Conv2dGeometry(string op, Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups)
    {
        if (x.Rank != 4) throw new ArgumentException($"{op}: input must be 4-D (N, C, H, W), got {ShapeUtil.Str(x.shape)}.");
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight must be 4-D (out, in/groups, kH, kW), got {ShapeUtil.Str(weight.shape)}.");
        if (groups < 1 || stride.H < 1 || stride.W < 1 || dilation.H < 1 || dilation.W < 1 || padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"{op}: stride {stride}, dilation {dilation} and groups {groups} must be positive and padding {padding} non-negative.");
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        int o = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3];
        if (c % groups != 0 || o % groups != 0)
            throw new ArgumentException($"{op}: {c} input and {o} output channels must both divide into {groups} groups.");
        if (weight.shape[1] != c / groups)
            throw new ArgumentException($"{op}: weight {ShapeUtil.Str(weight.shape)} expects {weight.shape[1] * groups} input channels, input {ShapeUtil.Str(x.shape)} has {c}.");
        if (bias != null && (bias.Rank != 1 || bias.shape[0] != o))
            throw new ArgumentException($"{op}: bias {ShapeUtil.Str(bias.shape)} must have shape ({o},).");
        var g = new ConvGeometry(n, c, h, w, kh, kw, stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W);
        int eh = dilation.H * (kh - 1) + 1, ew = dilation.W * (kw - 1) + 1;
        if (h + 2 * padding.H < eh || w + 2 * padding.W < ew)
            throw new ArgumentException($"{op}({c}→{o}, k{kh}×{kw}): input {h}×{w}{(padding.H + padding.W > 0 ? $" padded by {padding}" : "")} is smaller than the kernel's reach {eh}×{ew} (input {ShapeUtil.Str(x.shape)}).");
        if ((long)g.K * n * g.L > int.MaxValue)
            throw new ArgumentException($"{op}: the column matrix ({g.K} × {(long)n * g.L}) exceeds 2^31 values; use a smaller batch (input {ShapeUtil.Str(x.shape)}).");
        return g;
    }

    /// <summary>src (A, B, L) → dst (B, A, L), both contiguous: blocks of L values change places.</summary>
    internal static void SwapLeadingAxes(Tensor src, Tensor dst, int a, int b, int l)
    {
        float[] s = src.data, d = dst.data;
        int so = src.offset, doff = dst.offset;
        ParallelLoop.For(a, Math.Max(1, ParallelLoop.ElementwiseThreshold / Math.Max(1, b * l)), (a0, a1) =>
        {
            for (int i = a0; i < a1; i++)
                for (int j = 0; j < b; j++)
                    s.AsSpan(so + (i * b + j) * l, l).CopyTo(d.AsSpan(doff + (j * a + i) * l, l));
        }, align: 1);
    }

    static float RowSum(ReadOnlySpan<float> row) => System.Numerics.Tensors.TensorPrimitives.Sum(row);
}
