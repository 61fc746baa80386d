namespace Sinapse.Optimizers;

/// <summary>
/// Resilient backpropagation, iRprop− (Riedmiller &amp; Braun 1993; Igel &amp; Hüsken 2000): each weight moves by its own
/// step size in the direction against the sign of its gradient; the magnitude of the gradient is ignored. While the sign
/// stays, the step grows by η+ (up to a maximum); when it flips, a minimum was jumped over, so the step shrinks by η−
/// and that weight skips this update and forgets its gradient. Meant for full-batch training (the sign of a mini-batch
/// gradient is noisy). <see cref="Optimizer.LearningRate"/> is the initial step size, as in PyTorch.
/// </summary>
public sealed class Rprop : Optimizer
{
    readonly float[]?[] previous, step;
    public float EtaMinus { get; }
    public float EtaPlus { get; }
    public float MinStep { get; }
    public float MaxStep { get; }

    public Rprop(IEnumerable<Tensor> parameters, float lr = 0.01f, float etaMinus = 0.5f, float etaPlus = 1.2f, float minStep = 1e-6f, float maxStep = 50f)
        : base(parameters, lr)
    {
        if (!(etaMinus > 0 && etaMinus < 1 && etaPlus > 1)) throw new ArgumentException($"Rprop: needs 0 < η− < 1 < η+, got η− = {etaMinus}, η+ = {etaPlus}.");
        EtaMinus = etaMinus; EtaPlus = etaPlus; MinStep = minStep; MaxStep = maxStep;
        previous = NewState("prev"); step = NewState("step_size");
    }

    protected override void Update(int index, int offset, Span<float> w, ReadOnlySpan<float> g)
    {
        var prev = State(previous, index, offset, w.Length);
        var delta = State(step, index, offset, w.Length);
        if (StepCount == 1) delta.Fill(LearningRate);
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i], sign = gi * prev[i];
            if (sign > 0) delta[i] = MathF.Min(delta[i] * EtaPlus, MaxStep);
            else if (sign < 0) { delta[i] = MathF.Max(delta[i] * EtaMinus, MinStep); prev[i] = 0; continue; }
            w[i] -= MathF.Sign(gi) * delta[i];
            prev[i] = gi;
        }
    }
}
