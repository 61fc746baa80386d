using Sinapse.Training;

namespace Sinapse.Optimizers;

/// <summary>Changes an optimizer's learning rate; call <see cref="Step"/> once per epoch.</summary>
public abstract class LRScheduler : IStateful
{
    protected readonly Optimizer Optimizer;
    protected readonly float BaseLR;
    public int Epoch { get; private set; }

    protected LRScheduler(Optimizer optimizer) { Optimizer = optimizer; BaseLR = optimizer.LearningRate; }

    /// <summary>Advances one epoch (<paramref name="metric"/> is used by plateau scheduling only).</summary>
    public virtual void Step(float? metric = null)
    {
        Epoch++;
        Optimizer.LearningRate = Compute(Epoch);
    }

    protected abstract float Compute(int epoch);

    /// <summary>Saves the epoch count (the optimizer saves the rate itself).</summary>
    public virtual void SaveState(TrainingState state, string prefix) => state.Set(prefix + "epoch", Epoch);

    public virtual void LoadState(TrainingState state, string prefix) => Epoch = checked((int)state.GetLong(prefix + "epoch"));
}

/// <summary>Multiplies the rate by γ every <c>stepSize</c> epochs.</summary>
public sealed class StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f) : LRScheduler(optimizer)
{
    protected override float Compute(int epoch) => BaseLR * MathF.Pow(gamma, epoch / stepSize);
}

/// <summary>Multiplies the rate by γ every epoch.</summary>
public sealed class ExponentialLR(Optimizer optimizer, float gamma) : LRScheduler(optimizer)
{
    protected override float Compute(int epoch) => BaseLR * MathF.Pow(gamma, epoch);
}

/// <summary>Cosine annealing from the base rate to <c>minLR</c> over <c>tMax</c> epochs.</summary>
public sealed class CosineAnnealingLR(Optimizer optimizer, int tMax, float minLR = 0f) : LRScheduler(optimizer)
{
    protected override float Compute(int epoch) =>
        minLR + (BaseLR - minLR) * 0.5f * (1f + MathF.Cos(MathF.PI * Math.Min(epoch, tMax) / tMax));
}

/// <summary>Multiplies the rate by <c>factor</c> when the monitored metric (lower is better) has not improved for <c>patience</c> epochs.</summary>
public sealed class ReduceLROnPlateau(Optimizer optimizer, float factor = 0.1f, int patience = 10, float minLR = 0f, float threshold = 1e-4f) : LRScheduler(optimizer)
{
    float best = float.PositiveInfinity;
    int bad;

    public override void Step(float? metric = null)
    {
        if (metric is not float m) throw new ArgumentException("ReduceLROnPlateau.Step: pass the monitored metric (e.g. validation loss).");
        if (m < best * (1 - threshold)) { best = m; bad = 0; }
        else if (++bad > patience)
        {
            Optimizer.LearningRate = Math.Max(minLR, Optimizer.LearningRate * factor);
            bad = 0;
        }
        base.Step(metric);
    }

    protected override float Compute(int epoch) => Optimizer.LearningRate;

    public override void SaveState(TrainingState state, string prefix)
    {
        base.SaveState(state, prefix);
        state.Set(prefix + "best", best);
        state.Set(prefix + "bad_epochs", bad);
    }

    public override void LoadState(TrainingState state, string prefix)
    {
        base.LoadState(state, prefix);
        best = state.GetFloat(prefix + "best");
        bad = checked((int)state.GetLong(prefix + "bad_epochs"));
    }
}

/// <summary>Gradient clipping, applied between Backward and Step.</summary>
public static class GradClip
{
    /// <summary>Scales all gradients so their joint L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public static float ClipNorm(IEnumerable<Tensor> parameters, float maxNorm)
    {
        var withGrad = parameters.Where(p => p.Grad != null).ToList();
        double sq = 0;
        foreach (var p in withGrad)
        {
            if (!p.Grad!.IsContiguous) p.Grad = p.Grad.Contiguous(); // scaled in place below
            sq += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(p.Grad.AsReadOnlySpan());
        }
        float norm = (float)Math.Sqrt(sq);
        if (norm > maxNorm && norm > 0)
        {
            float s = maxNorm / (norm + 1e-6f);
            foreach (var p in withGrad)
            {
                var span = p.Grad!.AsSpan();
                System.Numerics.Tensors.TensorPrimitives.Multiply(span, s, span);
            }
        }
        return norm;
    }

    /// <summary>Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>].</summary>
    public static void ClipValue(IEnumerable<Tensor> parameters, float clipValue)
    {
        foreach (var p in parameters)
        {
            if (p.Grad == null) continue;
            if (!p.Grad.IsContiguous) p.Grad = p.Grad.Contiguous(); // clamped in place below
            var sp = p.Grad.AsSpan();
            System.Numerics.Tensors.TensorPrimitives.Clamp(sp, -clipValue, clipValue, sp);
        }
    }
}
