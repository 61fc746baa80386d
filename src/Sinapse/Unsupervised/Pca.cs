using Sinapse.Classic;

namespace Sinapse.Unsupervised;

/// <summary>
/// Principal component analysis: the k directions of largest variance, found as the top eigenvectors of the
/// covariance matrix by subspace iteration (Q ← orthonormalise(C·Q), Gram–Schmidt in double precision; C·Q is a GEMM).
/// Projecting a row on them and back is the best rank-k linear reconstruction, the baseline an autoencoder must beat.
/// </summary>
/// <remarks>Shape: rows (N, F) → codes (N, k); components (k, F).</remarks>
public sealed class Pca
{
    /// <summary>Column means (F) of the data fitted.</summary>
    public float[] Mean { get; private set; } = [];
    /// <summary>Orthonormal components (k, F), largest variance first.</summary>
    public Tensor Components { get; private set; } = Tensor.Zeros(0);
    /// <summary>Variance along each component (k).</summary>
    public double[] Variance { get; private set; } = [];
    public int K { get; }

    public Pca(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "Pca: at least one component.");
        K = k;
    }

    public Pca Fit(Tensor x, int iterations = 200, ulong seed = 1)
    {
        if (x.Rank != 2 || x.Shape[1] < K) throw new ArgumentException($"Pca: expected (N, F) with F ≥ k = {K}, got {ShapeUtil.Str(x.Shape)}.");
        int f = x.Shape[1];
        using var _ = Autograd.NoGrad();
        Mean = x.NoGraph().Mean(0).ToArray();
        var cov = LinearSolve.Covariance(x);
        var c = Tensor.FromArray(cov.Select(v => (float)v).ToArray(), f, f);
        var q = Orthonormalise(Tensor.Randn([f, K], new Generator(seed)).ToArray(), f);
        for (int it = 0; it < iterations; it++)
            q = Orthonormalise(c.MatMul(Tensor.FromArray(q.Select(v => (float)v).ToArray(), f, K)).ToArray(), f);
        // Order by the Rayleigh quotient qᵀCq (the columns converge in order; this guards against ties).
        var qt = Tensor.FromArray(q.Select(v => (float)v).ToArray(), f, K);
        var cq = c.MatMul(qt).ToArray();
        var variance = Enumerable.Range(0, K).Select(j => Enumerable.Range(0, f).Sum(i => q[i * K + j] * cq[i * K + j])).ToArray();
        var order = Enumerable.Range(0, K).OrderByDescending(j => variance[j]).ToArray();
        var comps = new float[K * f];
        for (int r = 0; r < K; r++) for (int i = 0; i < f; i++) comps[r * f + i] = (float)q[i * K + order[r]];
        Components = Tensor.FromArray(comps, K, f);
        Variance = order.Select(j => variance[j]).ToArray();
        return this;
    }

    /// <summary>Codes (N, k): the centred rows projected on the components.</summary>
    public Tensor Transform(Tensor x) => (x.NoGraph() - Tensor.FromArray(Mean)).MatMul(Components.T);

    /// <summary>Rows (N, F) rebuilt from codes.</summary>
    public Tensor InverseTransform(Tensor codes) => codes.MatMul(Components) + Tensor.FromArray(Mean);

    /// <summary>Mean squared error per element of rebuilding <paramref name="x"/> from its k-dimensional codes.</summary>
    public double ReconstructionError(Tensor x)
    {
        using var _ = Autograd.NoGrad();
        var d = InverseTransform(Transform(x)) - x.NoGraph();
        return (d * d).Mean().Item();
    }

    /// <summary>Modified Gram–Schmidt on the K columns of a (f, K) row-major matrix, in double.</summary>
    double[] Orthonormalise(float[] m, int f)
    {
        var q = m.Select(v => (double)v).ToArray();
        for (int j = 0; j < K; j++)
        {
            for (int p = 0; p < j; p++)
            {
                double dot = 0;
                for (int i = 0; i < f; i++) dot += q[i * K + j] * q[i * K + p];
                for (int i = 0; i < f; i++) q[i * K + j] -= dot * q[i * K + p];
            }
            double norm = Math.Sqrt(Enumerable.Range(0, f).Sum(i => q[i * K + j] * q[i * K + j]));
            if (norm < 1e-30) norm = 1; // a null column (rank-deficient data) stays zero
            for (int i = 0; i < f; i++) q[i * K + j] /= norm;
        }
        return q;
    }
}
