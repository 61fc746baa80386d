using Sinapse.Classic;

namespace Sinapse.Generative;

/// <summary>
/// Judging generated samples without eyes, through a classifier trained on the real data: an Inception-style score
/// (Salimans et al. 2016) from its class probabilities, the share of samples given each class, and a Fréchet distance
/// (Heusel et al. 2017) between Gaussians fitted to its penultimate features of the samples and of real data.
/// </summary>
public static class SampleQuality
{
    /// <summary>
    /// exp(E_x KL(p(y|x) ‖ p(y))) for class probabilities (N, C): high when each sample is clearly one class and the
    /// classes are used evenly; at most C (10 for digits), 1 for samples that all look alike or like nothing.
    /// </summary>
    public static double InceptionScore(Tensor probabilities)
    {
        var (n, c, p) = Rows(probabilities);
        var marginal = new double[c];
        for (int i = 0; i < n; i++) for (int k = 0; k < c; k++) marginal[k] += p[i * c + k] / n;
        double kl = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < c; k++)
            {
                double q = p[i * c + k];
                if (q > 0) kl += q * (Math.Log(q) - Math.Log(marginal[k]));
            }
        return Math.Exp(kl / n);
    }

    /// <summary>The share of samples whose most probable class is each class (C).</summary>
    public static double[] ClassShares(Tensor probabilities)
    {
        var (n, c, p) = Rows(probabilities);
        var shares = new double[c];
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int k = 1; k < c; k++) if (p[i * c + k] > p[i * c + best]) best = k;
            shares[best] += 1.0 / n;
        }
        return shares;
    }

    /// <summary>
    /// ‖μ_a − μ_b‖² + tr(C_a + C_b − 2(C_a^½ C_b C_a^½)^½) between the Gaussians fitted to the rows of two feature
    /// sets (N, F) and (M, F); 0 for identical statistics.
    /// </summary>
    public static double FrechetDistance(Tensor a, Tensor b)
    {
        if (a.Rank != 2 || b.Rank != 2 || a.Shape[1] != b.Shape[1])
            throw new ArgumentException($"FrechetDistance: expected (N, F) and (M, F), got {ShapeUtil.Str(a.Shape)} and {ShapeUtil.Str(b.Shape)}.");
        int f = a.Shape[1];
        var ma = a.Mean(0).ToArray(); var mb = b.Mean(0).ToArray();
        double d2 = 0;
        for (int i = 0; i < f; i++) d2 += (double)(ma[i] - mb[i]) * (ma[i] - mb[i]);
        var ca = LinearSolve.Covariance(a); var cb = LinearSolve.Covariance(b);
        var sa = SquareRoot(ca, f);
        var m = Multiply(Multiply(sa, cb, f), sa, f);
        var (values, _) = LinearSolve.SymmetricEigen(Symmetrise(m, f), f);
        double trace = 0;
        for (int i = 0; i < f; i++) trace += ca[i * f + i] + cb[i * f + i];
        return d2 + trace - 2 * values.Sum(v => Math.Sqrt(Math.Max(v, 0)));
    }

    /// <summary>The symmetric square root V·diag(√λ)·Vᵀ of a symmetric positive semi-definite matrix.</summary>
    static double[] SquareRoot(double[] c, int n)
    {
        var (values, v) = LinearSolve.SymmetricEigen(c, n);
        var r = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            double s = Math.Sqrt(Math.Max(values[k], 0));
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) r[i * n + j] += v[i * n + k] * s * v[j * n + k];
        }
        return r;
    }

    static double[] Multiply(double[] x, double[] y, int n)
    {
        var r = new double[n * n];
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) { double a = x[i * n + k]; for (int j = 0; j < n; j++) r[i * n + j] += a * y[k * n + j]; }
        return r;
    }

    static double[] Symmetrise(double[] m, int n)
    {
        var r = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) r[i * n + j] = (m[i * n + j] + m[j * n + i]) / 2;
        return r;
    }

    static (int N, int C, float[] P) Rows(Tensor probabilities)
    {
        if (probabilities.Rank != 2) throw new ArgumentException($"SampleQuality: expected probabilities (N, C), got {ShapeUtil.Str(probabilities.Shape)}.");
        return (probabilities.Shape[0], probabilities.Shape[1], probabilities.NoGraph().Contiguous().ToArray());
    }
}
