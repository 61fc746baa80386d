namespace Sinapse.Data;

/// <summary>
/// The adding problem (Hochreiter and Schmidhuber 1997), the classic test of long memory: each step carries a value
/// uniform in [0, 1) and a marker; exactly two steps are marked, one in each half of the sequence, and the target is
/// the sum of their values. Predicting the mean (1) scores MSE 1/6 ≈ 0.167; a network beats that only by carrying
/// the first marked value across about T/2 steps.
/// </summary>
/// <remarks>Shape: input (N, T, 2) as (value, marker) → target (N, 1).</remarks>
public static class AddingProblem
{
    /// <summary>MSE of always answering the expected sum 1: the variance of a sum of two U(0, 1) values.</summary>
    public const float BaselineMse = 1f / 6f;

    public static TensorDataset Generate(int count, int steps, Generator gen)
    {
        if (count < 1 || steps < 2) throw new ArgumentException($"AddingProblem: count {count} must be positive and steps {steps} at least 2.");
        var x = new float[count * steps * 2];
        var y = new float[count];
        int half = steps / 2;
        for (int n = 0; n < count; n++)
        {
            int a = gen.NextInt(half), b = half + gen.NextInt(steps - half);
            for (int t = 0; t < steps; t++)
            {
                int at = (n * steps + t) * 2;
                x[at] = gen.NextFloat();
                if (t == a || t == b) { x[at + 1] = 1f; y[n] += x[at]; }
            }
        }
        return new TensorDataset(Tensor.FromArray(x, count, steps, 2), Tensor.FromArray(y, count, 1));
    }
}
