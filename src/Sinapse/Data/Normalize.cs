namespace Sinapse.Data;

/// <summary>Feature scaling helpers.</summary>
public static class Normalize
{
    /// <summary>(x − mean) / std with scalar statistics, e.g. MNIST's 0.1307 / 0.3081.</summary>
    public static Tensor Apply(Tensor x, float mean, float std) => (x - mean) / std;

    /// <summary>Per-column mean and standard deviation of a (N, F) tensor, to standardise features.</summary>
    public static (Tensor Mean, Tensor Std) Fit(Tensor x)
    {
        using var _ = Autograd.NoGrad();
        return (x.Mean(0), x.Std(0, correction: 0).Clamp(1e-8f));
    }

    /// <summary>(x − mean) / std with per-column statistics from <see cref="Fit"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor mean, Tensor std) => (x - mean) / std;
}

/// <summary>
/// Per-column standardisation fitted on training rows, z = (x − mean) / std, applied unchanged to validation and test
/// rows, and inverted for predictions in the data's own units (a regression target). Constant columns get std 1.
/// </summary>
/// <remarks>Shape: Mean and Std (F); <see cref="Apply"/> and <see cref="Invert"/> take (N, F).</remarks>
public sealed record Standardizer(float[] Mean, float[] Std)
{
    /// <summary>Column means and (population) standard deviations of a (N, F) tensor.</summary>
    public static Standardizer Fit(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[0] == 0) throw new ArgumentException($"Standardizer.Fit: expected (N, F) with N ≥ 1, got {ShapeUtil.Str(x.Shape)}.");
        int n = x.Shape[0], f = x.Shape[1];
        var v = x.NoGraph().Contiguous().AsReadOnlySpan();
        var mean = new double[f]; var sq = new double[f];
        for (int r = 0; r < n; r++) for (int c = 0; c < f; c++) mean[c] += v[r * f + c];
        for (int c = 0; c < f; c++) mean[c] /= n;
        for (int r = 0; r < n; r++) for (int c = 0; c < f; c++) { double d = v[r * f + c] - mean[c]; sq[c] += d * d; }
        var std = new float[f];
        for (int c = 0; c < f; c++) { double s = Math.Sqrt(sq[c] / n); std[c] = s > 1e-12 ? (float)s : 1f; }
        return new Standardizer(mean.Select(m => (float)m).ToArray(), std);
    }

    public Tensor Apply(Tensor x) => Map(x, (v, c) => (v - Mean[c]) / Std[c]);

    public Tensor Invert(Tensor z) => Map(z, (v, c) => v * Std[c] + Mean[c]);

    Tensor Map(Tensor x, Func<float, int, float> f)
    {
        if (x.Rank != 2 || x.Shape[1] != Mean.Length)
            throw new ArgumentException($"Standardizer: expected (N, {Mean.Length}), got {ShapeUtil.Str(x.Shape)}.");
        var v = x.NoGraph().Contiguous().ToArray();
        int cols = Mean.Length;
        for (int i = 0; i < v.Length; i++) v[i] = f(v[i], i % cols);
        return Tensor.FromArray(v, x.Shape[0], cols);
    }
}
