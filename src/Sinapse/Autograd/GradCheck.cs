namespace Sinapse;

/// <summary>
/// Compares the gradients computed by backpropagation with central finite differences,
/// (f(x+h) − f(x−h)) / 2h, for every element of every input. The function's output is reduced with a fixed
/// random weighting so that every output element contributes.
/// </summary>
public static class GradCheck
{
    /// <summary>The outcome: the largest error found and where.</summary>
    public sealed record Result(bool Passed, double MaxError, string Worst);

    /// <summary>
    /// Checks <paramref name="f"/> at <paramref name="inputs"/> (all of which must require gradients).
    /// An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|. Computation runs in float32, so the
    /// step h defaults to 1e-2 and tolerances are loose-ish; smooth functions give errors far below them.
    /// </summary>
    public static Result Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-2, double atol = 1e-2, double rtol = 1e-2, ulong seed = 1)
    {
        foreach (var x in inputs) if (!x.RequiresGrad) throw new ArgumentException("GradCheck: every input must have RequiresGrad = true.");
        var probe = f(inputs);
        var gen = new Generator(seed);
        var w = Tensor.Uniform(probe.shape, 0.5f, 1.5f, gen);
        double Eval()
        {
            using var _ = Autograd.NoGrad();
            var y = f(inputs).NoGraph().Contiguous().ToArray();
            var wa = w.ToArray();
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)y[i] * wa[i];
            return s;
        }

        foreach (var x in inputs) x.Grad = null;
        (f(inputs) * w).Sum().Backward();
        double worst = 0, worstRatio = -1; string where = "none";
        bool ok = true;
        for (int t = 0; t < inputs.Length; t++)
        {
            var x = inputs[t];
            if (!x.IsContiguous) throw new ArgumentException("GradCheck: inputs must be contiguous.");
            var analytic = x.Grad?.ToArray() ?? new float[x.Numel];
            for (int i = 0; i < x.Numel; i++)
            {
                int p = x.offset + i;
                float orig = x.data[p];
                x.data[p] = (float)(orig + eps); x.BumpVersion(); double fp = Eval();
                x.data[p] = (float)(orig - eps); x.BumpVersion(); double fm = Eval();
                x.data[p] = orig; x.BumpVersion();
                double numeric = (fp - fm) / (2 * eps);
                double err = Math.Abs(analytic[i] - numeric);
                double allowed = atol + rtol * Math.Abs(numeric);
                if (err > allowed) ok = false;
                if (err / allowed > worstRatio)
                {
                    worstRatio = err / allowed;
                    worst = err;
                    where = $"input {t} element {i}: analytic {analytic[i]:G6}, numeric {numeric:G6}";
                }
            }
        }
        foreach (var x in inputs) x.Grad = null;
        return new Result(ok, worst, where);
    }

    /// <summary>Single-input convenience overload.</summary>
    public static Result Check(Func<Tensor, Tensor> f, Tensor input, double eps = 1e-2, double atol = 1e-2, double rtol = 1e-2)
        => Check(xs => f(xs[0]), [input], eps, atol, rtol);
}
