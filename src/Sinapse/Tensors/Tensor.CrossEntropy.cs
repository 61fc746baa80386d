namespace Sinapse;

public sealed partial class Tensor
{
    /// <summary>
    /// Fused softmax + cross-entropy on logits with class-index targets: loss = Σᵢ (log Σⱼ e^xᵢⱼ − xᵢ,tᵢ), divided by
    /// the number of rows when <paramref name="mean"/>. One pass forward keeps the probabilities p; the backward is
    /// the classic dx = (p − onehot(t))·g/N, one pass with no log-softmax graph in between.
    /// Shape: logits (N, C), target (N) class indices stored as floats → scalar.
    /// </summary>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor target, bool mean = true)
    {
        var labels = ClassIndices("CrossEntropyLoss", logits, target);
        int n = logits.shape[0], c = logits.shape[1];
        var x = logits.IsContiguous ? logits : logits.NoGraph().Contiguous();

        // Forward, row by row: p = softmax(x), loss_i = log Σ e^(x − max) − (x_t − max).   // (N,C)
        var pt = Uninitialized([n, c]); // saved for backward
        var p = pt.data;
        double total = 0;
        var xs = x.data.AsSpan(x.offset, n * c);
        for (int i = 0; i < n; i++)
        {
            var row = xs.Slice(i * c, c);
            var pr = p.AsSpan(i * c, c);
            float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, max, pr);
            System.Numerics.Tensors.TensorPrimitives.Exp(pr, pr);
            float sum = System.Numerics.Tensors.TensorPrimitives.Sum(pr);
            System.Numerics.Tensors.TensorPrimitives.Divide(pr, sum, pr);
            total += MathF.Log(sum) - (row[labels[i]] - max);
        }
        var o = Scalar((float)(mean ? total / Math.Max(n, 1) : total));

        // Backward: dx = (p − onehot)·g / N.
        return Autograd.Record(o, "SoftmaxCrossEntropy", [logits], g =>
        {
            float scale = g.data[g.offset] / (mean ? Math.Max(n, 1) : 1);
            var dx = Uninitialized([n, c]);
            System.Numerics.Tensors.TensorPrimitives.Multiply(pt.data.AsSpan(0, n * c), scale, dx.data.AsSpan(0, n * c));
            for (int i = 0; i < n; i++) dx.data[i * c + labels[i]] -= scale;
            return [dx];
        });
    }

    /// <summary>
    /// Checks that <paramref name="input"/> is (N, C) and <paramref name="target"/> holds N class indices in [0, C)
    /// (stored as floats), naming <paramref name="op"/> and the shapes or the bad value; returns the indices.
    /// </summary>
    internal static int[] ClassIndices(string op, Tensor input, Tensor target)
    {
        if (input.Rank != 2) throw new ArgumentException($"{op}: input must be (N, C), got {ShapeUtil.Str(input.shape)}.");
        int n = input.shape[0], c = input.shape[1];
        if (target.Rank != 1 || target.shape[0] != n)
            throw new ArgumentException($"{op}: target must be (N) = ({n},) class indices, got {ShapeUtil.Str(target.shape)} for input {ShapeUtil.Str(input.shape)}.");
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            float v = target.data[target.offset + i * target.strides[0]];
            if (v != MathF.Floor(v) || v < 0 || v >= c) throw new ArgumentException($"{op}: target value {v} is not a class index in [0, {c}).");
            labels[i] = (int)v;
        }
        return labels;
    }
}
