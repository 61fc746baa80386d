using Sinapse.Layers;
using Sinapse.Training;

namespace Sinapse.Classic;

/// <summary>
/// A local learning rule: it changes a layer's weights from the layer's own input x and output y = Wx, with no error
/// signal and no gradient (Hebb's "cells that fire together wire together"). Rules run through
/// <see cref="LearningRuleTask"/>, so <see cref="Sinapse.Training.Trainer.Fit{TBatch}(Sinapse.Training.TrainingTask{TBatch}, Sinapse.Data.DataLoader{TBatch}, Sinapse.Data.DataLoader{TBatch}?, int, Sinapse.Training.Callback[])"/> drives them with its callbacks and history.
/// </summary>
public abstract class LearningRule
{
    public float LearningRate { get; set; }

    protected LearningRule(float learningRate)
    {
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"{GetType().Name}: the learning rate must be positive.");
        LearningRate = learningRate;
    }

    /// <summary>Updates W (k, d) in place from a batch of inputs x (B, d) and outputs y = xWᵀ (B, k), averaged over the batch.</summary>
    public abstract void Update(Span<float> w, int k, int d, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batch);
}

/// <summary>The plain Hebb rule ΔW = η·y·xᵀ: nothing bounds the weights, so on data with a dominant direction they grow without limit.</summary>
public sealed class HebbRule(float learningRate = 1e-3f) : LearningRule(learningRate)
{
    public override void Update(Span<float> w, int k, int d, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batch)
    {
        float eta = LearningRate / batch;
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < k; i++)
            {
                float yi = eta * y[b * k + i];
                for (int j = 0; j < d; j++) w[i * d + j] += yi * x[b * d + j];
            }
    }
}

/// <summary>
/// Sanger's generalized Hebbian algorithm (1989), ΔW = η·(y·xᵀ − LT[y·yᵀ]·W): each unit i unlearns what units 1 … i
/// already explain, so the rows of W converge to the first k principal components, in order. With k = 1 it is Oja's
/// rule (1982), Δw = η·y·(x − y·w), whose decay term keeps ‖w‖ at 1.
/// </summary>
public sealed class SangerRule(float learningRate = 1e-3f) : LearningRule(learningRate)
{
    public override void Update(Span<float> w, int k, int d, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batch)
    {
        float eta = LearningRate / batch;
        var residual = new float[d];
        for (int b = 0; b < batch; b++)
        {
            var xb = x.Slice(b * d, d);
            xb.CopyTo(residual);
            for (int i = 0; i < k; i++)
            {
                // residual = x − Σ_{l ≤ i} y_l·w_l, so ΔW_i = η·y_i·(x − Σ_{l ≤ i} y_l w_l)
                float yi = y[b * k + i];
                var wi = w.Slice(i * d, d);
                for (int j = 0; j < d; j++) residual[j] -= yi * wi[j];
                for (int j = 0; j < d; j++) wi[j] += eta * yi * residual[j];
            }
        }
    }
}

/// <summary>Oja's rule: <see cref="SangerRule"/> on a single unit.</summary>
public static class OjaRule
{
    public static SangerRule Create(float learningRate = 1e-3f) => new(learningRate);
}

/// <summary>
/// Trains a bias-free <see cref="Linear"/> layer with a <see cref="LearningRule"/> under no_grad, one update per batch
/// of inputs. The step reports the mean squared reconstruction error ‖x − Wᵀy‖² (what principal components minimise)
/// as its loss and the largest row norm of W as "weight_norm".
/// </summary>
public sealed class LearningRuleTask(Linear layer, LearningRule rule) : TrainingTask<Tensor>
{
    public override Module Model => layer;

    public override StepResult TrainStep(Tensor batch)
    {
        if (layer.Bias != null) throw new InvalidOperationException("LearningRuleTask: the layer must have no bias (Linear(…, bias: false)).");
        using var _ = Autograd.NoGrad();
        int k = layer.OutFeatures, d = layer.InFeatures, n = batch.Shape[0];
        var x = batch.Reshape(n, d).Contiguous();
        var y = layer.Call(x).Contiguous();
        var w = layer.Weight;
        float error = ReconstructionError(w.AsReadOnlySpan(), k, d, x.AsReadOnlySpan(), y.AsReadOnlySpan(), n);
        rule.Update(w.AsSpan(), k, d, x.AsReadOnlySpan(), y.AsReadOnlySpan(), n);
        w.BumpVersion();
        return new StepResult(error, n, null, new Dictionary<string, float> { ["weight_norm"] = MaxRowNorm(w.AsReadOnlySpan(), k, d) });
    }

    static float ReconstructionError(ReadOnlySpan<float> w, int k, int d, ReadOnlySpan<float> x, ReadOnlySpan<float> y, int n)
    {
        double sum = 0;
        for (int b = 0; b < n; b++)
            for (int j = 0; j < d; j++)
            {
                double r = x[b * d + j];
                for (int i = 0; i < k; i++) r -= y[b * k + i] * w[i * d + j];
                sum += r * r;
            }
        return (float)(sum / n);
    }

    static float MaxRowNorm(ReadOnlySpan<float> w, int k, int d)
    {
        double best = 0;
        for (int i = 0; i < k; i++)
        {
            double s = 0;
            for (int j = 0; j < d; j++) s += (double)w[i * d + j] * w[i * d + j];
            best = Math.Max(best, Math.Sqrt(s));
        }
        return (float)best;
    }
}
