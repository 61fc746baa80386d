using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Training;

/// <summary>
/// The learning-rate range test (Smith 2017): one short run in which the rate grows geometrically from a tiny to a huge
/// value, one step per mini-batch, recording the loss (smoothed); it falls once the rate is large enough to learn and
/// explodes once it is too large. A good rate sits well below the minimum: the suggestion is the rate at the lowest
/// smoothed loss divided by 10. The model and optimizer are trained by the test, so give it fresh ones.
/// </summary>
public static class LearningRateRangeTest
{
    /// <summary>Rates tried, smoothed losses, the suggested rate and the rate at which the loss exploded (null if it never did).</summary>
    public sealed record Result(IReadOnlyList<(float Rate, float Loss)> Points, float Suggested, float? Diverged);

    public static Result Run(Module<Tensor, Tensor> model, Loss loss, Optimizer optimizer, DataLoader data, float minRate = 1e-6f, float maxRate = 10f,
        int steps = 100, float smoothing = 0.9f)
    {
        if (!(minRate > 0 && maxRate > minRate)) throw new ArgumentException($"LearningRateRangeTest: needs 0 < min rate < max rate, got {minRate} and {maxRate}.");
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "LearningRateRangeTest: at least 2 steps.");
        var points = new List<(float, float)>();
        double factor = Math.Pow(maxRate / minRate, 1.0 / (steps - 1));
        double avg = 0;
        float best = float.PositiveInfinity;
        float? diverged = null;
        int step = 0;
        model.Train();
        while (step < steps && diverged == null)
            foreach (var (x, y) in data)
            {
                float rate = (float)(minRate * Math.Pow(factor, step));
                optimizer.LearningRate = rate;
                optimizer.ZeroGrad();
                var l = loss.Call(model.Call(x), y);
                float v = l.Item();
                step++;
                avg = smoothing * avg + (1 - smoothing) * v;
                float smoothed = (float)(avg / (1 - Math.Pow(smoothing, step))); // bias-corrected, as Adam's moments
                if (!float.IsFinite(v) || smoothed > 4 * best) { diverged = rate; break; }
                points.Add((rate, smoothed));
                best = Math.Min(best, smoothed);
                l.Backward();
                optimizer.Step();
                if (step >= steps) break;
            }
        if (points.Count == 0) throw new InvalidOperationException($"LearningRateRangeTest: the loss was not finite at the first rate, {minRate}.");
        var (atMin, _) = points.MinBy(p => p.Item2);
        return new Result(points, atMin / 10, diverged);
    }
}
