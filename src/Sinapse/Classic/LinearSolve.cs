using System.Numerics.Tensors;

namespace Sinapse.Classic;

/// <summary>
/// Dense linear algebra the closed-form models need, in double precision: the Cholesky factorisation of a symmetric
/// positive-definite matrix, solves with it, and ridge regression (the normal equations (XᵀX + λI)W = XᵀY).
/// </summary>
public static class LinearSolve
{
    /// <summary>
    /// The lower-triangular L with A = L·Lᵀ, for a symmetric positive-definite (n, n) matrix in row-major order.
    /// Throws <see cref="ArgumentException"/> naming the pivot when A is not positive definite (singular, or
    /// indefinite): a ridge λ &gt; 0 makes the normal equations positive definite.
    /// </summary>
    public static double[] Cholesky(ReadOnlySpan<double> a, int n)
    {
        if (a.Length != n * n) throw new ArgumentException($"Cholesky: {a.Length} values for a {n}×{n} matrix.");
        var l = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            var lj = l.AsSpan(j * n, j); // row j of L left of the diagonal
            double d = a[j * n + j] - TensorPrimitives.Dot<double>(lj, lj);
            // Relative tolerance: a pivot that cancels to rounding noise means the matrix is singular.
            if (!(d > 1e-12 * Math.Max(1, Math.Abs(a[j * n + j]))))
                throw new ArgumentException($"Cholesky: the matrix is singular or not positive definite (pivot {j} of {n} is {d:G3}); with ridge regression use λ > 0.");
            double ljj = Math.Sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
                l[i * n + j] = (a[i * n + j] - TensorPrimitives.Dot<double>(l.AsSpan(i * n, j), lj)) / ljj;
        }
        return l;
    }

    /// <summary>Solves A·X = B given A's Cholesky factor L; B is (n, m) row-major and is overwritten by X.</summary>
    public static void CholeskySolve(ReadOnlySpan<double> l, int n, Span<double> b, int m)
    {
        if (b.Length != n * m) throw new ArgumentException($"CholeskySolve: right-hand side of {b.Length} values, expected {n}×{m}.");
        for (int c = 0; c < m; c++)
        {
            for (int i = 0; i < n; i++) // L·y = b
            {
                double s = b[i * m + c];
                for (int k = 0; k < i; k++) s -= l[i * n + k] * b[k * m + c];
                b[i * m + c] = s / l[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--) // Lᵀ·x = y
            {
                double s = b[i * m + c];
                for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k * m + c];
                b[i * m + c] = s / l[i * n + i];
            }
        }
    }

    /// <summary>
    /// Ridge regression: W (f, m) minimising ‖XW − Y‖² + λ‖W‖² for X (n, f) and Y (n, m), by Cholesky on XᵀX + λI.
    /// </summary>
    /// <remarks>Shape: x (N, F), y (N, M) → (F, M).</remarks>
    public static Tensor Ridge(Tensor x, Tensor y, float lambda)
    {
        var acc = new RidgeAccumulator(x.Rank == 2 ? x.Shape[1] : 0, y.Rank == 2 ? y.Shape[1] : 0);
        acc.Add(x, y);
        return acc.Solve(lambda);
    }

    /// <summary>
    /// The top <paramref name="count"/> eigenvectors (unit length, largest eigenvalue first) of a symmetric positive
    /// semi-definite (n, n) matrix, by power iteration with deflation; with their eigenvalues. Enough for the leading
    /// principal components of a covariance matrix, which is what Hebbian learning is checked against.
    /// </summary>
    public static (double[][] Vectors, double[] Values) TopEigenvectors(ReadOnlySpan<double> a, int n, int count, int iterations = 1000, ulong seed = 1)
    {
        if (a.Length != n * n) throw new ArgumentException($"TopEigenvectors: {a.Length} values for a {n}×{n} matrix.");
        var m = a.ToArray();
        var gen = new Generator(seed);
        var vectors = new double[count][];
        var values = new double[count];
        for (int c = 0; c < count; c++)
        {
            var v = Enumerable.Range(0, n).Select(_ => (double)gen.NextNormal()).ToArray();
            double lambda = 0;
            for (int it = 0; it < iterations; it++)
            {
                var next = new double[n];
                for (int i = 0; i < n; i++) { double s = 0; for (int j = 0; j < n; j++) s += m[i * n + j] * v[j]; next[i] = s; }
                double norm = Math.Sqrt(next.Sum(x => x * x));
                if (norm == 0) break;
                for (int i = 0; i < n; i++) next[i] /= norm;
                double change = 0;
                for (int i = 0; i < n; i++) change = Math.Max(change, Math.Abs(next[i] - v[i]));
                (v, lambda) = (next, norm);
                if (change < 1e-12) break;
            }
            vectors[c] = v; values[c] = lambda;
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i * n + j] -= lambda * v[i] * v[j]; // deflate
        }
        return (vectors, values);
    }

    /// <summary>The covariance matrix (F, F) of the rows of x (N, F): the centred rows' XᵀX / N, one GEMM, returned in double.</summary>
    public static double[] Covariance(Tensor x)
    {
        if (x.Rank != 2) throw new ArgumentException($"Covariance: expected (N, F), got {ShapeUtil.Str(x.Shape)}.");
        using var _ = Autograd.NoGrad();
        var xc = x.NoGraph() - x.NoGraph().Mean(0);
        var c = xc.T.MatMul(xc).Contiguous().AsReadOnlySpan();
        var cov = new double[c.Length];
        for (int i = 0; i < c.Length; i++) cov[i] = c[i] / (double)x.Shape[0];
        return cov;
    }

    /// <summary>
    /// All eigenvalues and eigenvectors of a symmetric (n, n) matrix by cyclic Jacobi rotations (each rotation zeroes
    /// one off-diagonal pair), until the off-diagonal mass is negligible. Eigenvector k is column k of the returned
    /// row-major matrix. O(n³) per sweep: meant for the small matrices of statistics (n up to a few hundred).
    /// </summary>
    public static (double[] Values, double[] Vectors) SymmetricEigen(ReadOnlySpan<double> a, int n, int maxSweeps = 100)
    {
        if (a.Length != n * n) throw new ArgumentException($"SymmetricEigen: {a.Length} values for a {n}×{n} matrix.");
        var m = a.ToArray();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        double scale = 0;
        foreach (var x in m) scale += x * x;
        for (int sweep = 0; sweep < maxSweeps; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
            if (off <= 1e-24 * Math.Max(scale, 1e-300)) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = m[p * n + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) // rotate columns p and q
                    {
                        double mkp = m[k * n + p], mkq = m[k * n + q];
                        m[k * n + p] = c * mkp - s * mkq; m[k * n + q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++) // and rows p and q
                    {
                        double mpk = m[p * n + k], mqk = m[q * n + k];
                        m[p * n + k] = c * mpk - s * mqk; m[q * n + k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq; v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        return (Enumerable.Range(0, n).Select(i => m[i * n + i]).ToArray(), v);
    }
}
