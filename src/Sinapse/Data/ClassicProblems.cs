namespace Sinapse.Data;

/// <summary>
/// The small problems the classic learning rules were measured on: XOR (not linearly separable, so a perceptron fails)
/// and n-bit parity (the output flips with any one input bit: the hardest Boolean function for a layered network).
/// </summary>
public static class ClassicProblems
{
    /// <summary>The four XOR rows: inputs (4, 2) of 0/1, class targets (4) = a xor b.</summary>
    public static TensorDataset Xor() => Parity(2);

    /// <summary>All 2ⁿ rows of n-bit parity: inputs (2ⁿ, n) of 0/1, class targets (2ⁿ): 1 when an odd number of bits is set.</summary>
    public static TensorDataset Parity(int bits)
    {
        if (bits is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(bits), bits, "Parity: 1 to 16 bits.");
        int n = 1 << bits;
        var x = new float[n * bits];
        var y = new float[n];
        for (int r = 0; r < n; r++)
        {
            for (int b = 0; b < bits; b++) x[r * bits + b] = (r >> (bits - 1 - b)) & 1;
            y[r] = System.Numerics.BitOperations.PopCount((uint)r) & 1;
        }
        return new TensorDataset(Tensor.FromArray(x, n, bits), Tensor.FromArray(y, n));
    }

    /// <summary>The curve <see cref="NoisySine"/> samples: sin(2πx) on [0, 1].</summary>
    public static float Sine(float x) => MathF.Sin(2 * MathF.PI * x);

    /// <summary>
    /// <paramref name="n"/> points x uniform on [0, 1], y = sin(2πx) + N(0, <paramref name="noise"/>²): 1-D regression
    /// where a network too small underfits the curve and one too large, trained too long, fits the noise. Shapes (n, 1).
    /// </summary>
    public static TensorDataset NoisySine(int n, float noise, ulong seed)
    {
        var gen = new Generator(seed);
        var x = new float[n]; var y = new float[n];
        for (int i = 0; i < n; i++) { x[i] = gen.NextFloat(); y[i] = Sine(x[i]) + noise * gen.NextNormal(); }
        return new TensorDataset(Tensor.FromArray(x, n, 1), Tensor.FromArray(y, n, 1));
    }

    /// <summary>
    /// <paramref name="n"/> zero-mean Gaussian rows whose covariance has eigenvalues sd² along a seeded orthonormal
    /// basis (Gram–Schmidt on random vectors), with that basis: data whose principal components are known exactly.
    /// </summary>
    /// <remarks>Shape: (n, sd.Length); each axis has sd.Length entries.</remarks>
    public static (Tensor X, double[][] Axes) Gaussian(int n, double[] sd, ulong seed)
    {
        int d = sd.Length;
        var gen = new Generator(seed);
        var axes = new double[d][];
        for (int a = 0; a < d; a++)
        {
            var v = Enumerable.Range(0, d).Select(_ => (double)gen.NextNormal()).ToArray();
            for (int b = 0; b < a; b++) { double dot = v.Zip(axes[b]).Sum(p => p.First * p.Second); for (int i = 0; i < d; i++) v[i] -= dot * axes[b][i]; }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            axes[a] = v.Select(x => x / norm).ToArray();
        }
        var rows = new float[n * d];
        for (int r = 0; r < n; r++)
            for (int a = 0; a < d; a++)
            {
                double z = sd[a] * gen.NextNormal();
                for (int i = 0; i < d; i++) rows[r * d + i] += (float)(z * axes[a][i]);
            }
        return (Tensor.FromArray(rows, n, d), axes);
    }
}
