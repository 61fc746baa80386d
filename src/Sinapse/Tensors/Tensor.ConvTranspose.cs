using Sinapse.Kernels;

namespace Sinapse;

// Transposed 2-D convolution (the adjoint of Conv2d with respect to its input) and the 1-D convolution.
public sealed partial class Tensor
{
    /// <summary>
    /// Transposed 2-D convolution (PyTorch's conv_transpose2d): each input value spreads a kernel-sized patch onto the
    /// output, so it upsamples (decoders, DCGAN generators). It is the gradient of <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/>
    /// with respect to that op's input.
    /// Shape: x (N, Cin, H, W), weight (Cin, Cout/groups, KH, KW), bias (Cout) → (N, Cout, OH, OW) with
    /// OH = (H − 1)·stride − 2·padding + dilation·(KH − 1) + outputPadding + 1.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1)
    {
        const string op = "ConvTranspose2d";
        if (x.Rank != 4) throw new ArgumentException($"{op}: input must be 4-D (N, C, H, W), got {ShapeUtil.Str(x.shape)}.");
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight must be 4-D (in, out/groups, kH, kW), got {ShapeUtil.Str(weight.shape)}.");
        if (groups < 1 || stride < 1 || dilation < 1 || padding < 0 || outputPadding < 0 || outputPadding >= Math.Max(stride, dilation))
            throw new ArgumentException($"{op}: stride {stride}, dilation {dilation}, groups {groups} must be positive, padding {padding} non-negative and output padding {outputPadding} below the stride or the dilation.");
        int n = x.shape[0], cin = x.shape[1], h = x.shape[2], w = x.shape[3];
        int kh = weight.shape[2], kw = weight.shape[3];
        if (weight.shape[0] != cin || cin % groups != 0)
            throw new ArgumentException($"{op}: weight {ShapeUtil.Str(weight.shape)} expects {weight.shape[0]} input channels in {groups} groups, input {ShapeUtil.Str(x.shape)} has {cin}.");
        int cout = weight.shape[1] * groups;
        if (bias != null && (bias.Rank != 1 || bias.shape[0] != cout))
            throw new ArgumentException($"{op}: bias {ShapeUtil.Str(bias.shape)} must have shape ({cout},).");
        int oh = (h - 1) * stride - 2 * padding + dilation * (kh - 1) + outputPadding + 1;
        int ow = (w - 1) * stride - 2 * padding + dilation * (kw - 1) + outputPadding + 1;
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"{op}({cin}→{cout}, k{kh}×{kw}): input {h}×{w} gives an empty {oh}×{ow} output with padding {padding} (input {ShapeUtil.Str(x.shape)}).");

        // The convolution this op is the adjoint of: input (N, Cout, OH, OW), output (N, Cin, H, W).
        var g = new ConvGeometry(n, cout, oh, ow, kh, kw, stride, stride, padding, padding, dilation, dilation);
        if ((long)g.K * n * h * w > int.MaxValue)
            throw new ArgumentException($"{op}: the column matrix ({g.K} × {(long)n * h * w}) exceeds 2^31 values; use a smaller batch (input {ShapeUtil.Str(x.shape)}).");
        int cing = cin / groups, kg = g.K / groups, nl = n * h * w, l = h * w;
        var xc = x.IsContiguous ? x : x.NoGraph().Contiguous();
        var wc = weight.IsContiguous ? weight : weight.NoGraph().Contiguous();

        // Batches split by sample (see ConvBySample) run the adjoint convolution's own kernels: this forward is that
        // convolution's input gradient, the input gradient here its forward, the weight gradient its weight gradient.
        bool bySample = ConvBySample.Applies(n, l);
        var output = Zeros([n, cout, oh, ow]);
        var xT = xc; // the input as (Cin, N·L) for the whole-batch GEMMs
        if (bySample)
        {
            var cols = Uninitialized([n, g.K, l]); // each sample's (K, L) columns, folded while in cache
            ConvBySample.InputGrad(g, groups, wc.data, wc.offset, xc.data, xc.offset, cin, cols.data, cols.offset, output.data, output.offset);
        }
        else
        {
            if (n > 1) { xT = Uninitialized([cin, nl]); SwapLeadingAxes(xc, xT, n, cin, l); }
            // cols_g (kg, N·L) = W_gᵀ (kg, cing) · x_g (cing, N·L), folded onto the output.
            var cols = Uninitialized([g.K, nl]);
            for (int gi = 0; gi < groups; gi++)
                Gemm.Multiply(kg, nl, cing, new Gemm.Operand(wc.data, wc.offset + gi * cing * kg, 1, kg),
                    new Gemm.Operand(xT.data, xT.offset + gi * cing * nl, nl, 1), cols.data, cols.offset + gi * kg * nl, nl, accumulate: false);
            Im2Col.Fold(g, cols.data, cols.offset, output.data, output.offset);
        }
        if (bias != null)
        {
            var bc = bias.IsContiguous ? bias : bias.NoGraph().Contiguous();
            for (int s = 0; s < n; s++)
                for (int c = 0; c < cout; c++)
                    Elementwise.Binary<AddOp>(output.data.AsSpan((s * cout + c) * oh * ow, oh * ow), bc.data[bc.offset + c], output.data.AsSpan((s * cout + c) * oh * ow, oh * ow));
        }

        return Autograd.Record(output, op, bias != null ? [x, weight, bias] : [x, weight], gOut =>
        {
            var gy = gOut.IsContiguous ? gOut : gOut.NoGraph().Contiguous();
            var gcols = Uninitialized([g.K, nl]);
            Tensor? gx = null, gw = null, gb = null;
            if (x.RequiresGrad && bySample)
            {
                gx = Uninitialized(x.shape);
                ConvBySample.Forward(g, groups, gy.data, gy.offset, wc.data, wc.offset, null, 0, gcols.data, gcols.offset, gx.data, gx.offset, cin, relu: false);
            }
            else
            {
                Im2Col.Expand(g, gy.data, gy.offset, gcols.data, gcols.offset);
                if (x.RequiresGrad)
                {
                    // dx_g (cing, N·L) = W_g (cing, kg) · gcols_g (kg, N·L), then back to (N, Cin, H, W).
                    var dxT = n == 1 ? Uninitialized(x.shape) : Uninitialized([cin, nl]);
                    for (int gi = 0; gi < groups; gi++)
                        Gemm.Multiply(cing, nl, kg, new Gemm.Operand(wc.data, wc.offset + gi * cing * kg, kg, 1),
                            new Gemm.Operand(gcols.data, gcols.offset + gi * kg * nl, nl, 1), dxT.data, dxT.offset + gi * cing * nl, nl, accumulate: false);
                    if (n == 1) gx = dxT;
                    else { gx = Uninitialized(x.shape); SwapLeadingAxes(dxT, gx, cin, n, l); }
                }
            }
            if (weight.RequiresGrad)
            {
                // dW_g (cing, kg) (+)= Σ_n x_g[n] (cing, L) · gcols_g[n]ᵀ (L, kg), in an order set by the shape alone.
                // A whole-batch sum (small L) reads x as (Cin, N·L): such batches never run by sample, so xT is made.
                var dwT = kg < cing ? Uninitialized([kg, cing]) : null;
                var source = ConvBySample.SumsBySample(l) ? xc : xT;
                void Into(float[] d, int off, bool overwrite) =>
                    ConvBySample.WeightGrad(g, groups, source.data, source.offset, cin, gcols.data, gcols.offset, d, off, overwrite, dwT?.data, dwT?.offset ?? 0);
                if (!AccumulateInPlace(weight, gy, Into))
                {
                    gw = Uninitialized(weight.shape);
                    Into(gw.data, gw.offset, overwrite: true);
                }
            }
            if (bias != null && bias.RequiresGrad) gb = gy.NoGraph().Sum([0, 2, 3]);
            return bias != null ? [gx, gw, gb] : [gx, gw];
        });
    }

    /// <summary>
    /// 1-D cross-correlation, a <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/> of height 1.
    /// Shape: x (N, C, L), weight (O, C/groups, K), bias (O) → (N, O, ⌊(L + 2·padding − dilation·(K − 1) − 1)/stride⌋ + 1).
    /// </summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        if (x.Rank != 3) throw new ArgumentException($"Conv1d: input must be 3-D (N, C, L), got {ShapeUtil.Str(x.shape)}.");
        if (weight.Rank != 3) throw new ArgumentException($"Conv1d: weight must be 3-D (out, in/groups, k), got {ShapeUtil.Str(weight.shape)}.");
        return Conv2d(x.Unsqueeze(2), weight.Unsqueeze(2), bias, (1, stride), (0, padding), (1, dilation), groups).Squeeze(2);
    }
}
