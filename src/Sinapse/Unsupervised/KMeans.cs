using System.Numerics.Tensors;

namespace Sinapse.Unsupervised;

/// <summary>
/// k-means clustering (Lloyd's algorithm) with k-means++ initialisation (Arthur &amp; Vassilvitskii 2007): the first
/// centre is a random row, each next one a row drawn with probability proportional to its squared distance to the
/// nearest centre chosen so far. Then assign each row to its nearest centre and move each centre to the mean of its
/// rows, until no assignment changes. Several seeded restarts keep the one with the lowest inertia (sum of squared
/// distances to the centres).
/// </summary>
/// <remarks>Shape: rows (N, F) → centres (k, F), labels (N).</remarks>
public sealed class KMeans
{
    public int K { get; }
    /// <summary>Centres (k, F) after <see cref="Fit"/>.</summary>
    public float[] Centres { get; private set; } = [];
    public int Features { get; private set; }
    /// <summary>Sum of squared distances of the rows to their centres.</summary>
    public double Inertia { get; private set; }
    /// <summary>Lloyd iterations of the kept restart.</summary>
    public int Iterations { get; private set; }

    public KMeans(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "KMeans: k must be at least 1.");
        K = k;
    }

    /// <summary>Clusters the rows of <paramref name="x"/>; returns each row's cluster.</summary>
    public int[] Fit(Tensor x, ulong seed = 0, int restarts = 4, int maxIterations = 300)
    {
        if (x.Rank != 2 || x.Shape[0] < K) throw new ArgumentException($"KMeans: expected (N, F) with N ≥ k = {K}, got {ShapeUtil.Str(x.Shape)}.");
        int n = x.Shape[0], f = x.Shape[1];
        Features = f;
        var data = x.NoGraph().Contiguous().ToArray();
        var gen = new Generator(seed);
        int[] best = [];
        Inertia = double.PositiveInfinity;
        for (int r = 0; r < restarts; r++)
        {
            var centres = PlusPlus(data, n, f, gen);
            var labels = new int[n];
            Array.Fill(labels, -1);
            int it = 0;
            double inertia = 0;
            for (; it < maxIterations; it++)
            {
                (bool changed, inertia) = Assign(data, n, f, centres, labels);
                if (!changed) break;
                Update(data, n, f, centres, labels, gen);
            }
            if (inertia < Inertia) { Inertia = inertia; best = labels; Centres = centres; Iterations = it + 1; }
        }
        return best;
    }

    /// <summary>The nearest centre of each row of <paramref name="x"/>.</summary>
    public int[] Predict(Tensor x)
    {
        if (Centres.Length == 0) throw new InvalidOperationException("KMeans.Predict: call Fit first.");
        if (x.Rank != 2 || x.Shape[1] != Features) throw new ArgumentException($"KMeans.Predict: expected (N, {Features}), got {ShapeUtil.Str(x.Shape)}.");
        var labels = new int[x.Shape[0]];
        Assign(x.NoGraph().Contiguous().ToArray(), x.Shape[0], Features, Centres, labels);
        return labels;
    }

    float[] PlusPlus(float[] data, int n, int f, Generator gen)
    {
        var centres = new float[K * f];
        data.AsSpan(gen.NextInt(n) * f, f).CopyTo(centres);
        var d2 = new double[n];
        for (int i = 0; i < n; i++) d2[i] = Distance2(data.AsSpan(i * f, f), centres.AsSpan(0, f));
        for (int c = 1; c < K; c++)
        {
            double total = d2.Sum(), target = gen.NextFloat() * total, acc = 0;
            int pick = n - 1;
            for (int i = 0; i < n; i++) { acc += d2[i]; if (acc >= target && d2[i] > 0) { pick = i; break; } }
            data.AsSpan(pick * f, f).CopyTo(centres.AsSpan(c * f, f));
            for (int i = 0; i < n; i++) d2[i] = Math.Min(d2[i], Distance2(data.AsSpan(i * f, f), centres.AsSpan(c * f, f)));
        }
        return centres;
    }

    (bool Changed, double Inertia) Assign(float[] data, int n, int f, float[] centres, int[] labels)
    {
        bool changed = false;
        double inertia = 0;
        for (int i = 0; i < n; i++)
        {
            var row = data.AsSpan(i * f, f);
            int best = 0;
            double bestD = double.PositiveInfinity;
            for (int c = 0; c < K; c++)
            {
                double d = Distance2(row, centres.AsSpan(c * f, f));
                if (d < bestD) { bestD = d; best = c; }
            }
            if (labels[i] != best) { labels[i] = best; changed = true; }
            inertia += bestD;
        }
        return (changed, inertia);
    }

    void Update(float[] data, int n, int f, float[] centres, int[] labels, Generator gen)
    {
        var sums = new double[K * f];
        var counts = new int[K];
        for (int i = 0; i < n; i++)
        {
            int c = labels[i];
            counts[c]++;
            for (int j = 0; j < f; j++) sums[c * f + j] += data[i * f + j];
        }
        for (int c = 0; c < K; c++)
        {
            // An empty cluster restarts at a random row rather than staying where nothing is.
            if (counts[c] == 0) { data.AsSpan(gen.NextInt(n) * f, f).CopyTo(centres.AsSpan(c * f, f)); continue; }
            for (int j = 0; j < f; j++) centres[c * f + j] = (float)(sums[c * f + j] / counts[c]);
        }
    }

    /// <summary>Squared Euclidean distance.</summary>
    public static double Distance2(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float d = TensorPrimitives.Distance(a, b);
        return (double)d * d;
    }
}
