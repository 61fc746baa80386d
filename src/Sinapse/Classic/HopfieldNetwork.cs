namespace Sinapse.Classic;

/// <summary>
/// A Hopfield network (Hopfield 1982): N bipolar neurons (±1), fully connected by symmetric weights with no
/// self-connections, storing patterns by the Hebb rule W = (1/N) Σ p·pᵀ. Recall lets a probe settle: asynchronously
/// (one neuron at a time, s_i ← sign(Σ_j W_ij s_j)), which never increases the energy E = −½ sᵀWs and so always
/// reaches a fixed point; or synchronously (all at once), which may end in a two-state cycle. About 0.138·N random
/// patterns can be stored before recall breaks down (Amit, Gutfreund &amp; Sompolinsky 1985).
/// </summary>
public sealed class HopfieldNetwork
{
    readonly float[] w;
    public int Size { get; }
    /// <summary>Patterns stored so far.</summary>
    public int Stored { get; private set; }

    public HopfieldNetwork(int size)
    {
        if (size < 2) throw new ArgumentOutOfRangeException(nameof(size), size, "HopfieldNetwork: at least 2 neurons.");
        Size = size;
        w = new float[size * size];
    }

    /// <summary>The weight between neurons i and j.</summary>
    public float Weight(int i, int j) => w[i * Size + j];

    /// <summary>Adds <paramref name="pattern"/> (±1 values) by the Hebb rule: W += p·pᵀ / N, diagonal kept at 0.</summary>
    public void Store(ReadOnlySpan<float> pattern)
    {
        Check(pattern, "Store");
        float scale = 1f / Size;
        for (int i = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
                if (i != j) w[i * Size + j] += scale * pattern[i] * pattern[j];
        Stored++;
    }

    /// <summary>
    /// Replaces the weights by the projection (pseudo-inverse) rule of Personnaz, Guyon &amp; Dreyfus (1986),
    /// W = X·(XᵀX)⁻¹·Xᵀ with the patterns as X's columns, diagonal set to 0. Every pattern is then a fixed point
    /// however correlated the patterns are (digits, which share most of their background, are merged into one
    /// mixture state by the Hebb rule); up to N linearly independent patterns. W stays symmetric, so the energy still
    /// never increases.
    /// </summary>
    public void StoreProjection(IReadOnlyList<float[]> patterns)
    {
        int p = patterns.Count;
        if (p == 0) throw new ArgumentException("HopfieldNetwork.StoreProjection: no patterns.");
        foreach (var x in patterns) Check(x, "StoreProjection");
        var gram = new double[p * p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
            {
                double dot = 0;
                for (int i = 0; i < Size; i++) dot += patterns[a][i] * patterns[b][i];
                gram[a * p + b] = dot;
            }
        double[] l;
        try { l = LinearSolve.Cholesky(gram, p); }
        catch (ArgumentException) { throw new ArgumentException("HopfieldNetwork.StoreProjection: the patterns are linearly dependent (a pattern repeats or is a combination of others)."); }
        // C = G⁻¹ Xᵀ (p, N), column by column; then W = X·C.
        var c = new double[p * Size];
        for (int a = 0; a < p; a++) for (int i = 0; i < Size; i++) c[a * Size + i] = patterns[a][i];
        LinearSolve.CholeskySolve(l, p, c, Size);
        for (int i = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
            {
                double v = 0;
                for (int a = 0; a < p; a++) v += patterns[a][i] * c[a * Size + j];
                w[i * Size + j] = i == j ? 0f : (float)v;
            }
        Stored = p;
    }

    /// <summary>E = −½ Σ_ij W_ij s_i s_j.</summary>
    public double Energy(ReadOnlySpan<float> state)
    {
        Check(state, "Energy");
        double e = 0;
        for (int i = 0; i < Size; i++)
        {
            double h = 0;
            for (int j = 0; j < Size; j++) h += w[i * Size + j] * state[j];
            e += h * state[i];
        }
        return -0.5 * e;
    }

    /// <summary>
    /// Asynchronous recall in place: sweeps over the neurons in a random order (from <paramref name="gen"/>), each set to
    /// the sign of its input (kept on a tie), until a sweep changes nothing. <paramref name="onUpdate"/>, if given, sees
    /// the state after every single-neuron update (to trace the energy). Returns the sweeps made.
    /// </summary>
    public int RecallAsync(Span<float> state, Generator gen, int maxSweeps = 100, Action<int>? onUpdate = null)
    {
        Check(state, "RecallAsync");
        for (int sweep = 1; sweep <= maxSweeps; sweep++)
        {
            bool changed = false;
            foreach (int i in gen.Permutation(Size))
            {
                float s = Sign(Input(state, i), state[i]);
                if (s != state[i]) { state[i] = s; changed = true; }
                onUpdate?.Invoke(i);
            }
            if (!changed) return sweep;
        }
        return maxSweeps;
    }

    /// <summary>
    /// Synchronous recall in place: every neuron updated from the same previous state, until the state repeats
    /// (a fixed point) or returns to the one two steps back (a cycle). Returns (steps, whether it converged).
    /// </summary>
    public (int Steps, bool Converged) RecallSync(Span<float> state, int maxSteps = 100)
    {
        Check(state, "RecallSync");
        var prev = state.ToArray();
        var before = new float[Size];
        for (int step = 1; step <= maxSteps; step++)
        {
            var next = new float[Size];
            for (int i = 0; i < Size; i++) next[i] = Sign(Input(prev, i), prev[i]);
            if (next.AsSpan().SequenceEqual(prev)) { next.CopyTo(state); return (step, true); }
            if (step > 1 && next.AsSpan().SequenceEqual(before)) { next.CopyTo(state); return (step, false); }
            before = prev;
            prev = next;
        }
        prev.CopyTo(state);
        return (maxSteps, false);
    }

    double Input(ReadOnlySpan<float> state, int i)
    {
        double h = 0;
        var row = w.AsSpan(i * Size, Size);
        for (int j = 0; j < Size; j++) h += row[j] * state[j];
        return h;
    }

    static float Sign(double h, float current) => h > 0 ? 1f : h < 0 ? -1f : current;

    void Check(ReadOnlySpan<float> v, string op)
    {
        if (v.Length != Size) throw new ArgumentException($"HopfieldNetwork.{op}: {v.Length} values for {Size} neurons.");
        foreach (var x in v) if (x != 1f && x != -1f) throw new ArgumentException($"HopfieldNetwork.{op}: states are bipolar (+1 or −1), got {x}.");
    }
}
