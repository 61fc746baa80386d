using Sinapse.Layers;

namespace Sinapse.Training;

/// <summary>
/// Penalties and constraints on weights beyond the optimizers' L2 weight decay: the L1 penalty λ·Σ|w| (it drives weights
/// to exactly zero, a sparse network), max-norm (each unit's incoming weight vector rescaled to norm at most c after a
/// step), and how many weights are near zero. They apply to weight matrices and kernels (rank ≥ 2), not to biases or
/// normalisation scales, as usual.
/// </summary>
public static class Regularization
{
    /// <summary>The parameters regularised: rank ≥ 2 (Linear weights, convolution kernels, recurrent matrices).</summary>
    public static IEnumerable<Tensor> Weights(Module model) => model.Parameters().Where(p => p.Rank >= 2);

    /// <summary>λ·Σ|w| over <see cref="Weights"/>, as a scalar tensor in the graph (its gradient is λ·sign(w)).</summary>
    public static Tensor L1Penalty(Module model, float lambda)
    {
        Tensor? sum = null;
        foreach (var w in Weights(model)) { var s = w.Abs().Sum(); sum = sum is null ? s : sum + s; }
        return sum is null ? Tensor.Scalar(0f) : sum * lambda;
    }

    /// <summary>
    /// Rescales each output unit's incoming weights (row of a Linear weight, filter of a convolution: dimension 0) to an
    /// L2 norm of at most <paramref name="maxNorm"/> (Srebro &amp; Shraibman; used with dropout by Srivastava et al.).
    /// </summary>
    public static void ApplyMaxNorm(Module model, float maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "MaxNorm: the bound must be positive.");
        using var _ = Autograd.NoGrad();
        foreach (var w in Weights(model))
        {
            var v = w.AsSpan();
            int rows = w.Shape[0], len = w.Numel / rows;
            for (int r = 0; r < rows; r++)
            {
                var row = v.Slice(r * len, len);
                double sq = 0;
                foreach (var x in row) sq += (double)x * x;
                double norm = Math.Sqrt(sq);
                if (norm <= maxNorm) continue;
                float scale = (float)(maxNorm / norm);
                for (int i = 0; i < row.Length; i++) row[i] *= scale;
            }
            w.BumpVersion();
        }
    }

    /// <summary>Share of the weights (<see cref="Weights"/>) with |w| below <paramref name="threshold"/>.</summary>
    public static double NearZeroFraction(Module model, float threshold = 1e-3f)
    {
        long small = 0, all = 0;
        foreach (var w in Weights(model))
        {
            foreach (var x in w.AsReadOnlySpan()) if (MathF.Abs(x) < threshold) small++;
            all += w.Numel;
        }
        return all == 0 ? 0 : small / (double)all;
    }
}
