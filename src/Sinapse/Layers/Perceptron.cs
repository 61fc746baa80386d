namespace Sinapse.Layers;

/// <summary>
/// Rosenblatt's perceptron (1958): y = step(w·x + b) with the Heaviside step, trained by the perceptron rule
/// w ← w + η(t − y)x, b ← b + η(t − y). It converges on linearly separable data (AND, OR) and never on XOR,
/// which no single line separates (Minsky &amp; Papert, 1969).
/// </summary>
/// <remarks>Shape: inputs (n, features) → predictions (n).</remarks>
public sealed class Perceptron
{
    public float[] Weights { get; }
    public float Bias { get; private set; }
    public float LearningRate { get; }

    public Perceptron(int inputs, float learningRate = 0.1f)
    {
        Weights = new float[inputs];
        LearningRate = learningRate;
    }

    /// <summary>step(w·x + b) for one sample.</summary>
    public float Predict(ReadOnlySpan<float> x)
    {
        float s = Bias;
        for (int i = 0; i < Weights.Length; i++) s += Weights[i] * x[i];
        return s >= 0 ? 1f : 0f;
    }

    /// <summary>Predictions for every row of a (n, features) tensor.</summary>
    public Tensor Predict(Tensor x)
    {
        var rows = Rows(x);
        return Tensor.FromArray(rows.Select(r => Predict(r)).ToArray());
    }

    /// <summary>
    /// Applies the perceptron rule for up to <paramref name="epochs"/> passes over the data; returns the number of
    /// epochs used, or −1 if some sample was still misclassified after the last one.
    /// </summary>
    public int Fit(Tensor x, Tensor targets, int epochs = 100)
    {
        var rows = Rows(x);
        var t = targets.ToArray();
        if (t.Length != rows.Length) throw new ArgumentException($"Perceptron.Fit: {rows.Length} samples but {t.Length} targets.");
        for (int e = 1; e <= epochs; e++)
        {
            int errors = 0;
            for (int i = 0; i < rows.Length; i++)
            {
                float err = t[i] - Predict(rows[i]);
                if (err == 0) continue;
                errors++;
                for (int j = 0; j < Weights.Length; j++) Weights[j] += LearningRate * err * rows[i][j];
                Bias += LearningRate * err;
            }
            if (errors == 0) return e;
        }
        return -1;
    }

    /// <summary>Fraction of samples classified correctly.</summary>
    public float Accuracy(Tensor x, Tensor targets)
    {
        var p = Predict(x).ToArray(); var t = targets.ToArray();
        return p.Zip(t).Count(z => z.First == z.Second) / (float)t.Length;
    }

    float[][] Rows(Tensor x)
    {
        if (x.Rank != 2 || x.Shape[1] != Weights.Length)
            throw new ArgumentException($"Perceptron: expected inputs of shape (n, {Weights.Length}), got {ShapeUtil.Str(x.Shape)}.");
        var a = x.ToArray();
        return Enumerable.Range(0, x.Shape[0]).Select(i => a.AsSpan(i * Weights.Length, Weights.Length).ToArray()).ToArray();
    }
}
