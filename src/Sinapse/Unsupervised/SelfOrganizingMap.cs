using System.Numerics.Tensors;

namespace Sinapse.Unsupervised;

/// <summary>
/// A Kohonen self-organising map (Kohonen 1982): a rows × columns grid of prototype vectors. For each sample, the unit
/// whose prototype is nearest (the best-matching unit) and its grid neighbours move towards the sample,
/// w_j ← w_j + α(t)·h_j(t)·(x − w_j) with h_j = exp(−d_grid(j, bmu)² / 2σ(t)²). The rate α and the neighbourhood
/// width σ both decay exponentially over training, so the map first orders itself globally, then fine-tunes locally:
/// neighbouring units end up with similar prototypes.
/// </summary>
/// <remarks>Shape: rows (N, F) → best-matching units (N); prototypes (rows·columns, F).</remarks>
public sealed class SelfOrganizingMap
{
    public int Rows { get; }
    public int Columns { get; }
    public int Features { get; }
    /// <summary>Prototypes, unit by unit (unit r·Columns + c), each <see cref="Features"/> long.</summary>
    public float[] Prototypes { get; }
    public int Units => Rows * Columns;

    public SelfOrganizingMap(int rows, int columns, int features)
    {
        if (rows < 1 || columns < 1 || features < 1) throw new ArgumentException($"SelfOrganizingMap: a {rows}×{columns} map of {features} features must be positive in each.");
        (Rows, Columns, Features) = (rows, columns, features);
        Prototypes = new float[rows * columns * features];
    }

    /// <summary>
    /// Trains on the rows of <paramref name="x"/> for <paramref name="epochs"/> passes in seeded random order, the
    /// prototypes starting at random rows; α decays from <paramref name="rate"/> to <paramref name="finalRate"/> and σ
    /// from half the map's larger side to <paramref name="finalSigma"/> (a quarter of the grid spacing by default: by then a unit hardly pulls its neighbours along).
    /// </summary>
    public void Fit(Tensor x, int epochs, ulong seed, float rate = 0.5f, float finalRate = 0.01f, float finalSigma = 0.25f, Action<double>? progress = null)
    {
        if (x.Rank != 2 || x.Shape[1] != Features) throw new ArgumentException($"SelfOrganizingMap.Fit: expected (N, {Features}), got {ShapeUtil.Str(x.Shape)}.");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "SelfOrganizingMap.Fit: at least one epoch.");
        int n = x.Shape[0], f = Features;
        var data = x.NoGraph().Contiguous().ToArray();
        var gen = new Generator(seed);
        for (int u = 0; u < Units; u++) data.AsSpan(gen.NextInt(n) * f, f).CopyTo(Prototypes.AsSpan(u * f, f));
        float sigma0 = Math.Max(Rows, Columns) / 2f;
        long total = (long)epochs * n, t = 0;
        var diff = new float[f];
        for (int e = 0; e < epochs; e++)
        {
            foreach (int i in gen.Permutation(n))
            {
                double frac = t++ / (double)total;
                float alpha = (float)(rate * Math.Pow(finalRate / rate, frac));
                float sigma = (float)(sigma0 * Math.Pow(finalSigma / sigma0, frac));
                var row = data.AsSpan(i * f, f);
                int bmu = BestMatchingUnit(row);
                int br = bmu / Columns, bc = bmu % Columns;
                float twoSigma2 = 2 * sigma * sigma;
                for (int u = 0; u < Units; u++)
                {
                    int dr = u / Columns - br, dc = u % Columns - bc;
                    float h = MathF.Exp(-(dr * dr + dc * dc) / twoSigma2);
                    if (h < 1e-3f) continue; // far units barely move: skip them
                    var w = Prototypes.AsSpan(u * f, f);
                    TensorPrimitives.Subtract(row, w, diff);
                    TensorPrimitives.MultiplyAdd(diff, alpha * h, w, w);
                }
            }
            progress?.Invoke((e + 1) / (double)epochs);
        }
    }

    /// <summary>The unit whose prototype is nearest to <paramref name="x"/>.</summary>
    public int BestMatchingUnit(ReadOnlySpan<float> x)
    {
        int best = 0;
        float bestD = float.PositiveInfinity;
        for (int u = 0; u < Units; u++)
        {
            float d = TensorPrimitives.Distance(x, Prototypes.AsSpan(u * Features, Features));
            if (d < bestD) { bestD = d; best = u; }
        }
        return best;
    }

    /// <summary>The best-matching unit of every row of <paramref name="x"/>.</summary>
    public int[] Map(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[1] != Features) throw new ArgumentException($"SelfOrganizingMap.Map: expected (N, {Features}), got {ShapeUtil.Str(x.Shape)}.");
        var data = x.NoGraph().Contiguous().ToArray();
        return Enumerable.Range(0, x.Shape[0]).Select(i => BestMatchingUnit(data.AsSpan(i * Features, Features))).ToArray();
    }

    /// <summary>
    /// The U-matrix (Ultsch): for each unit, the mean distance from its prototype to those of its four grid neighbours
    /// (rows × columns). High values are borders between clusters; low values, the inside of one.
    /// </summary>
    public float[] UMatrix()
    {
        var u = new float[Units];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Columns; c++)
            {
                double sum = 0; int count = 0;
                foreach (var (nr, nc) in new[] { (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1) })
                {
                    if (nr < 0 || nr >= Rows || nc < 0 || nc >= Columns) continue;
                    sum += TensorPrimitives.Distance(Prototypes.AsSpan((r * Columns + c) * Features, Features), Prototypes.AsSpan((nr * Columns + nc) * Features, Features));
                    count++;
                }
                u[r * Columns + c] = (float)(sum / count);
            }
        return u;
    }
}
