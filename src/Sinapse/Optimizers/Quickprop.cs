namespace Sinapse.Optimizers;

/// <summary>
/// Quickprop (Fahlman 1988): treats each weight's error curve as a parabola through the last two gradients and jumps
/// towards its minimum, Δw(t) = Δw(t−1) · g(t) / (g(t−1) − g(t)). Its safeguards, as in Fahlman's paper: a step never
/// grows by more than μ (the maximum growth factor, 1.75) times the previous one (which also covers a parabola opening
/// downwards or a zero denominator); a weight whose last step was zero takes a gradient-descent step −ε·g; and while
/// the gradient keeps the sign that drove the last step, the gradient-descent term is added to the quadratic one.
/// A small weight decay (default 1e-4, Fahlman's) keeps weights from drifting into flat regions where the slope
/// vanishes. Meant for full-batch training. <see cref="Optimizer.LearningRate"/> is ε.
/// </summary>
public sealed class Quickprop : Optimizer
{
    readonly float[]?[] previousGrad, previousStep;
    public float MaxGrowth { get; }
    public float WeightDecay { get; }

    public Quickprop(IEnumerable<Tensor> parameters, float lr = 0.01f, float maxGrowth = 1.75f, float weightDecay = 1e-4f) : base(parameters, lr)
    {
        if (!(maxGrowth > 1)) throw new ArgumentOutOfRangeException(nameof(maxGrowth), maxGrowth, "Quickprop: the maximum growth factor μ must exceed 1.");
        MaxGrowth = maxGrowth; WeightDecay = weightDecay;
        previousGrad = NewState("prev_grad"); previousStep = NewState("prev_step");
    }

    protected override void Update(int index, int offset, Span<float> w, ReadOnlySpan<float> g)
    {
        var p = State(previousGrad, index, offset, w.Length);
        var d = State(previousStep, index, offset, w.Length);
        float eps = LearningRate, mu = MaxGrowth, shrink = mu / (1 + mu);
        for (int i = 0; i < w.Length; i++)
        {
            float s = g[i] + WeightDecay * w[i], step;
            if (d[i] < 0)
            {
                // The last step went down because the slope was positive; a slope still positive adds descent.
                step = s > 0 ? -eps * s : 0;
                step += s >= shrink * p[i] || p[i] == s ? mu * d[i] : d[i] * s / (p[i] - s);
            }
            else if (d[i] > 0)
            {
                step = s < 0 ? -eps * s : 0;
                step += s <= shrink * p[i] || p[i] == s ? mu * d[i] : d[i] * s / (p[i] - s);
            }
            else step = -eps * s;
            w[i] += step;
            d[i] = step;
            p[i] = s;
        }
    }
}
