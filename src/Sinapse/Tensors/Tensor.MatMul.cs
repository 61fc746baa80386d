using Sinapse.Kernels;

namespace Sinapse;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product. Shape: (m,k)·(k,n) → (m,n); batched (…,m,k)·(…,k,n) → (…,m,n) with broadcast batch
    /// dimensions; a 1-D left operand is a row vector and a 1-D right operand a column vector (that dimension is
    /// then dropped from the result). Backward: dA = dC·Bᵀ, dB = Aᵀ·dC, both through strided views (no copies).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"MatMul: both operands need at least 1 dimension, got {ShapeUtil.Str(a.shape)} and {ShapeUtil.Str(b.shape)}.");
        bool va = a.Rank == 1, vb = b.Rank == 1;
        if (va || vb)
        {
            var r = MatMul(va ? a.Unsqueeze(0) : a, vb ? b.Unsqueeze(-1) : b);
            if (vb) r = r.Squeeze(-1);
            return va ? r.Squeeze(vb ? -1 : -2) : r;
        }
        int m = a.shape[^2], k = a.shape[^1], k2 = b.shape[^2], n = b.shape[^1];
        if (k != k2)
            throw new ArgumentException($"MatMul: inner dimensions differ: {ShapeUtil.Str(a.shape)} · {ShapeUtil.Str(b.shape)} ({k} vs {k2}).");
        var batch = ShapeUtil.Broadcast(a.shape[..^2], b.shape[..^2], "MatMul (batch dimensions)");
        var outShape = batch.Concat(new[] { m, n }).ToArray();
        var ae = a.Expand(batch.Concat(new[] { m, k }).ToArray());
        var be = b.Expand(batch.Concat(new[] { k, n }).ToArray());
        int batches = ShapeUtil.Numel(batch);
        var idx = new int[batch.Length];
        var o = Uninitialized(outShape); // the last allocation before the product (see the Tensor constructor)
        for (int bi = 0; bi < batches; bi++)
        {
            int ao = ae.offset, bo = be.offset;
            for (int d = 0; d < batch.Length; d++) { ao += idx[d] * ae.strides[d]; bo += idx[d] * be.strides[d]; }
            Gemm.Multiply(m, n, k,
                new Gemm.Operand(a.data, ao, ae.strides[^2], ae.strides[^1]),
                new Gemm.Operand(b.data, bo, be.strides[^2], be.strides[^1]),
                o.data, bi * m * n, n, accumulate: false);
            for (int d = batch.Length - 1; d >= 0; d--) { if (++idx[d] < batch[d]) break; idx[d] = 0; }
        }
        if (!Autograd.WillRecord(a, b)) return o; // no delegate or input array made while o is new
        return Autograd.Record(o, "MatMul", [a, b], MatMulBackward(a, b));
    }

    /// <summary>MatMul's backward (a separate method, as Linear's, so that a product without a graph allocates no closure).</summary>
    static Func<Tensor, Tensor?[]> MatMulBackward(Tensor a, Tensor b) => g =>
        [a.RequiresGrad ? MatMul(g, b.Transpose(-2, -1)) : null,
         b.RequiresGrad ? MatMul(a.Transpose(-2, -1), g) : null];

    /// <summary>Matrix product with this tensor on the left; see <see cref="MatMul(Tensor, Tensor)"/>.</summary>
    public Tensor MatMul(Tensor other) => MatMul(this, other);

    /// <summary>
    /// Fused affine map y = x·Wᵀ + b, the Linear layer's op. Shape: x (…, in), W (out, in), b (out) → (…, out).
    /// Backward: dx = dy·W, dW = dyᵀ·x, db = Σ dy over rows. With a large weight (see
    /// <see cref="PackedWeights.Applies"/>) a sample gets the same output, bit for bit, alone as in a batch.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias) => Linear(x, weight, bias, relu: false);

    /// <summary>
    /// <see cref="Linear(Tensor, Tensor, Tensor?)"/>, then ReLU, in one op: the GEMM clamps each output at 0 as it
    /// stores it, so the activation costs no pass over memory. Backward: g is masked by y &gt; 0, then as Linear.
    /// </summary>
    /// <remarks>
    /// With <paramref name="inference"/> (a <see cref="Layers.Linear"/> layer's own cache) and no graph recorded, a
    /// large weight is read from a packed copy (<see cref="PackedWeights"/>): a single sample streams it in 64-row
    /// blocks (the same values as that sample gets in a batch), a batch skips packing the GEMM's B operand.
    /// </remarks>
    internal static Tensor Linear(Tensor x, Tensor weight, Tensor? bias, bool relu, PackedWeights? inference = null)
    {
        if (weight.Rank != 2) throw new ArgumentException($"Linear: weight must be 2-D (out, in), got {ShapeUtil.Str(weight.shape)}.");
        int outF = weight.shape[0], inF = weight.shape[1];
        if (x.Rank == 0 || x.shape[^1] != inF)
            throw new ArgumentException($"Linear: input {ShapeUtil.Str(x.shape)} does not end in in_features = {inF} (weight {ShapeUtil.Str(weight.shape)}).");
        if (bias != null && (bias.Rank != 1 || bias.shape[0] != outF))
            throw new ArgumentException($"Linear: bias {ShapeUtil.Str(bias.shape)} must have shape ({outF},).");
        var x2 = x.Rank == 2 ? x : x.Reshape(-1, inF);
        int rows = x2.shape[0];
        var outShape = (int[])x.shape.Clone(); outShape[^1] = outF;
        var o = Uninitialized(outShape);
        bool record = Autograd.WillRecord(x2, weight, bias);
        if (rows == 1 && inference != null && !record && x2.strides[1] == 1 && PackedWeights.Applies(weight))
        {
            var bc = bias?.Contiguous();
            Gemm.PackedGemv(outF, inF, inference.For(weight), x2.data, x2.offset, bc?.data, bc?.offset ?? 0, o.data, 0, relu);
        }
        else
        {
            // (rows, out) = bias broadcast, then += (rows, in)·(in, out)
            if (bias != null)
            {
                var bc = bias.Contiguous();
                for (int r = 0; r < rows; r++) bc.data.AsSpan(bc.offset, outF).CopyTo(o.data.AsSpan(r * outF, outF));
            }
            // Without a graph, a layer's weight is packed for the GEMM once and reused until it changes.
            bool prepack = rows > 1 && inference != null && !record && PackedWeights.Applies(weight);
            Gemm.Multiply(rows, outF, inF, new Gemm.Operand(x2.data, x2.offset, x2.strides[0], x2.strides[1]), Gemm.WeightAsB(weight),
                o.data, 0, outF, accumulate: bias != null, relu: relu, prepackedB: prepack ? inference!.ForGemm(weight) : null,
                rowsAlike: PackedWeights.Applies(weight));
        }
        // x is 2-D (rows, in) or was reshaped to it, so the output's own shape is (rows, out) unless x had more axes.
        var result = x.Rank == 2 ? o : new Tensor(o, 0, new[] { rows, outF }, new[] { outF, 1 });
        if (record)
            Autograd.Record(result, relu ? "LinearRelu" : "Linear", bias != null ? [x2, weight, bias] : [x2, weight],
                LinearBackward(x2, weight, bias, result, relu, x.Rank > 2 ? rows / Math.Max(1, x.shape[0]) : 1));
        return x.Rank == 2 ? result : result.Reshape(outShape);
    }

    /// <summary>Linear's backward (a separate method so that a forward without a graph allocates no closure).</summary>
    static Func<Tensor, Tensor?[]> LinearBackward(Tensor x2, Tensor weight, Tensor? bias, Tensor result, bool relu, int rowsPerSample)
    {
        int outF = weight.shape[0], inF = weight.shape[1], rows = x2.shape[0];
        return gOut =>
        {
            var g = relu ? ApplyBinary<ReluGradOp>(result, gOut, "LinearReluBackward") : gOut;
            var gx = x2.RequiresGrad ? MatMul(g, weight) : null;
            // A leaf weight that already has a gradient buffer gets dW = dyᵀ·x added in place by the GEMM
            // (accumulate), and db the column sums: no temporary and no separate accumulation pass.
            // With Settings.BatchBlocks > 1 both are summed block by block over the batch (see BatchBlocks).
            Tensor? gw = null, gb = null;
            int samples = rows / rowsPerSample, blocks = BatchBlocks.For(samples);
            if (weight.RequiresGrad && !AccumulateInPlace(weight, g, (gd, go, overwrite) =>
                {
                    if (blocks == 1) WeightGrad(0, rows, gd, go, !overwrite);
                    else BatchBlocks.Sum(gd, go, outF * inF, overwrite, rows, rowsPerSample, blocks, WeightGrad);
                }))
                gw = blocks == 1 ? MatMul(g.T, x2) : BlockSum(samples, rowsPerSample, blocks, (r0, n) => MatMul(g.Slice(0, r0, r0 + n).T, x2.Slice(0, r0, r0 + n)));
            if (bias != null && bias.RequiresGrad && !AccumulateInPlace(bias, g, (gd, go, overwrite) =>
                {
                    if (blocks == 1) BiasGrad(0, rows, gd, go, !overwrite);
                    else BatchBlocks.Sum(gd, go, outF, overwrite, rows, rowsPerSample, blocks, BiasGrad);
                }))
                gb = blocks == 1 ? g.Sum(0) : BlockSum(samples, rowsPerSample, blocks, (r0, n) => g.Slice(0, r0, r0 + n).Sum(0));
            return bias != null ? [gx, gw, gb] : [gx, gw];

            // (out, in) (+)= dy[r0..r0+n)ᵀ · x[r0..r0+n)
            void WeightGrad(int r0, int n, float[] c, int co, bool add) =>
                Gemm.Multiply(outF, inF, n, new Gemm.Operand(g.data, g.offset + r0 * g.strides[0], g.strides[1], g.strides[0]),
                    new Gemm.Operand(x2.data, x2.offset + r0 * x2.strides[0], x2.strides[0], x2.strides[1]), c, co, inF, accumulate: add);

            // (out) (+)= Σ dy[r] over r in [r0, r0+n)
            void BiasGrad(int r0, int n, float[] c, int co, bool add)
            {
                if (!add) c.AsSpan(co, outF).Clear();
                for (int r = r0; r < r0 + n; r++)
                    Elementwise.Binary<AddOp>(c.AsSpan(co, outF), g.data.AsSpan(g.offset + r * g.strides[0], outF), c.AsSpan(co, outF));
            }
        };
    }

    /// <summary>The sum of <paramref name="part"/>(first row, rows) over the batch's blocks, added in block order.</summary>
    static Tensor BlockSum(int samples, int rowsPerSample, int blocks, Func<int, int, Tensor> part)
    {
        Tensor? sum = null;
        for (int b = 0; b < blocks; b++)
        {
            int r0 = BatchBlocks.Start(samples, blocks, b) * rowsPerSample, r1 = BatchBlocks.Start(samples, blocks, b + 1) * rowsPerSample;
            sum = sum == null ? part(r0, r1 - r0) : sum + part(r0, r1 - r0);
        }
        return sum!;
    }

    /// <summary>
    /// For a leaf parameter whose <see cref="Grad"/> is a contiguous buffer of its shape, runs
    /// <paramref name="addInto"/>(grad storage, offset, overwrite) and returns true; otherwise false (the engine
    /// accumulates). With overwrite the buffer's values stand for zeros (a gradient zeroed lazily): the callback
    /// writes its result instead of adding it. Needs g contiguous by rows (stride 1 along the last axis).
    /// </summary>
    internal static bool AccumulateInPlace(Tensor param, Tensor g, Action<float[], int, bool> addInto)
    {
        if (param.GradFn == null) param.AdoptReservedGrad();
        if (param.GradFn != null || param.RawGrad is not { } pg || !pg.IsContiguous || g.strides[^1] != 1
            || !pg.shape.AsSpan().SequenceEqual(param.shape)) return false;
        addInto(pg.data, pg.offset, param.TakeGradPendingZero());
        return true;
    }
}
