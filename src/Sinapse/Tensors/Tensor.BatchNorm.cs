using Sinapse.Kernels;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Sinapse;

// Batch normalisation (Ioffe & Szegedy 2015) as one op: per-channel statistics, forward and backward side by side.
public sealed partial class Tensor
{
    /// <summary>
    /// Normalises each channel (axis 1) to zero mean and unit variance, then scales by <paramref name="weight"/> (γ) and
    /// shifts by <paramref name="bias"/> (β), as PyTorch's batch_norm. In training the statistics are the batch's
    /// (over N and every axis after C; the biased variance normalises) and the running ones are updated in place:
    /// running = (1 − momentum)·running + momentum·batch, with the unbiased variance. In evaluation the running
    /// statistics normalise. Shape: (N, C) or (N, C, …) → same; weight, bias, running mean and variance (C).
    /// </summary>
    /// <remarks>
    /// Backward (training), with x̂ the normalised input and M values per channel:
    /// ∂x = γ/(σ·M)·(M·∂y − Σ∂y − x̂·Σ(∂y·x̂)), ∂γ = Σ(∂y·x̂), ∂β = Σ∂y. In evaluation the op is affine per channel.
    /// </remarks>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm: input must be (N, C) or (N, C, …), got {ShapeUtil.Str(x.shape)}.");
        int n = x.shape[0], c = x.shape[1], inner = (int)(x.Numel / ((long)n * c));
        foreach (var (t, name) in new[] { (runningMean, "running mean"), (runningVar, "running variance"), (weight, "weight"), (bias, "bias") })
            if (t != null && (t.Rank != 1 || t.shape[0] != c))
                throw new ArgumentException($"BatchNorm: {name} {ShapeUtil.Str(t.shape)} must have shape ({c},) for input {ShapeUtil.Str(x.shape)}.");
        if (!training && (runningMean == null || runningVar == null))
            throw new ArgumentException("BatchNorm: evaluation needs the running mean and variance.");
        int m = n * inner;
        if (training && m < 2)
            throw new ArgumentException($"BatchNorm: training needs more than one value per channel, got input {ShapeUtil.Str(x.shape)}.");

        var xc = x.IsContiguous ? x : x.NoGraph().Contiguous();
        float[] gamma = Channel(weight, c, 1f), beta = Channel(bias, c, 0f);
        var mean = new float[c];
        var invStd = new float[c];
        if (training)
        {
            ForChannels(c, m, (c0, c1) =>
            {
                var dev = System.Buffers.ArrayPool<float>.Shared.Rent(inner);
                for (int ch = c0; ch < c1; ch++)
                {
                    // Two passes (mean, then squared deviations), each span summed in float by SIMD and the spans in double.
                    double s = 0, ss = 0;
                    for (int i = 0; i < n; i++) s += TP.Sum(xc.data.AsSpan(xc.offset + (i * c + ch) * inner, inner));
                    double mu = s / m;
                    for (int i = 0; i < n; i++)
                    {
                        var d = dev.AsSpan(0, inner);
                        TP.Subtract(xc.data.AsSpan(xc.offset + (i * c + ch) * inner, inner), (float)mu, d);
                        ss += TP.SumOfSquares(d);
                    }
                    mean[ch] = (float)mu;
                    invStd[ch] = (float)(1 / Math.Sqrt(ss / m + eps));
                    if (runningMean != null) runningMean.data[runningMean.offset + ch] = (1 - momentum) * runningMean.data[runningMean.offset + ch] + momentum * (float)mu;
                    if (runningVar != null) runningVar.data[runningVar.offset + ch] = (1 - momentum) * runningVar.data[runningVar.offset + ch] + momentum * (float)(ss / (m - 1));
                }
                System.Buffers.ArrayPool<float>.Shared.Return(dev);
            });
            runningMean?.BumpVersion();
            runningVar?.BumpVersion();
        }
        else
        {
            for (int ch = 0; ch < c; ch++)
            {
                mean[ch] = runningMean!.data[runningMean.offset + ch];
                invStd[ch] = 1f / MathF.Sqrt(runningVar!.data[runningVar.offset + ch] + eps);
            }
        }

        // y = x·a + b per channel, a = γ/σ, b = β − μ·γ/σ
        var output = Uninitialized(x.shape);
        ForChannels(c, m, (c0, c1) =>
        {
            for (int ch = c0; ch < c1; ch++)
            {
                float a = gamma[ch] * invStd[ch], b = beta[ch] - mean[ch] * a;
                for (int i = 0; i < n; i++)
                {
                    int at = (i * c + ch) * inner;
                    var dst = output.data.AsSpan(at, inner);
                    TP.Multiply(xc.data.AsSpan(xc.offset + at, inner), a, dst);
                    TP.Add(dst, b, dst);
                }
            }
        });

        Tensor[] inputs = weight != null && bias != null ? [x, weight, bias] : weight != null ? [x, weight] : bias != null ? [x, bias] : [x];
        return Autograd.Record(output, "BatchNorm", inputs, gOut =>
        {
            var gy = gOut.IsContiguous ? gOut : gOut.NoGraph().Contiguous();
            var gx = x.RequiresGrad ? Uninitialized(x.shape) : null;
            var dGamma = new float[c];
            var dBeta = new float[c];
            ForChannels(c, m, (c0, c1) =>
            {
                for (int ch = c0; ch < c1; ch++)
                {
                    double sg = 0, sgxRaw = 0; // Σ∂y, Σ∂y·x
                    float mu = mean[ch], istd = invStd[ch];
                    for (int i = 0; i < n; i++)
                    {
                        int at = (i * c + ch) * inner;
                        var g = gy.data.AsSpan(gy.offset + at, inner);
                        sg += TP.Sum(g);
                        sgxRaw += TP.Dot(g, xc.data.AsSpan(xc.offset + at, inner));
                    }
                    double sgx = istd * (sgxRaw - mu * sg); // Σ∂y·x̂
                    dGamma[ch] = (float)sgx; dBeta[ch] = (float)sg;
                    if (gx == null) continue;
                    // ∂x = γ/σ·(∂y − mean ∂y − x̂·mean(∂y·x̂)) = A·∂y + B·x + C per channel
                    float scale = gamma[ch] * istd;
                    float meanG = training ? (float)(sg / m) : 0f, meanGx = training ? (float)(sgx / m) : 0f;
                    float A = scale, B = -scale * meanGx * istd, C = -scale * meanG + scale * meanGx * istd * mu;
                    for (int i = 0; i < n; i++)
                    {
                        int at = (i * c + ch) * inner;
                        var dst = gx.data.AsSpan(at, inner);
                        TP.Multiply(gy.data.AsSpan(gy.offset + at, inner), A, dst);
                        TP.MultiplyAdd(xc.data.AsSpan(xc.offset + at, inner), B, dst, dst);
                        TP.Add(dst, C, dst);
                    }
                }
            });
            var gw = weight != null ? FromArray(dGamma, c) : null;
            var gb = bias != null ? FromArray(dBeta, c) : null;
            return weight != null && bias != null ? [gx, gw, gb] : weight != null ? [gx, gw] : bias != null ? [gx, gb] : [gx];
        });
    }

    static float[] Channel(Tensor? t, int c, float fallback)
    {
        var a = new float[c];
        if (t == null) { Array.Fill(a, fallback); return a; }
        for (int i = 0; i < c; i++) a[i] = t.data[t.offset + i * t.strides[0]];
        return a;
    }

    static void ForChannels(int channels, int perChannel, Action<int, int> body) =>
        ParallelLoop.For(channels, Math.Max(1, ParallelLoop.ElementwiseThreshold / Math.Max(1, perChannel)), body, align: 1);
}
