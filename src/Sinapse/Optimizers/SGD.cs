namespace Sinapse.Optimizers;

/// <summary>
/// Stochastic gradient descent, w ← w − η·g, optionally with momentum v ← μv + g (classical or Nesterov:
/// step along g + μv) and L2 weight decay g ← g + λw.
/// </summary>
public sealed class SGD : Optimizer
{
    readonly float[]?[] velocity;
    public float Momentum { get; }
    public bool Nesterov { get; }
    public float WeightDecay { get; }

    public SGD(IEnumerable<Tensor> parameters, float lr = 0.01f, float momentum = 0f, bool nesterov = false, float weightDecay = 0f)
        : base(parameters, lr)
    {
        if (nesterov && momentum <= 0) throw new ArgumentException("SGD: Nesterov momentum needs momentum > 0.");
        Momentum = momentum; Nesterov = nesterov; WeightDecay = weightDecay;
        velocity = new float[]?[Params.Length];
    }

    protected override void Update(int index, Span<float> w, ReadOnlySpan<float> g)
    {
        float lr = LearningRate, mu = Momentum, wd = WeightDecay;
        if (mu == 0)
        {
            for (int i = 0; i < w.Length; i++) w[i] -= lr * (g[i] + wd * w[i]);
            return;
        }
        var v = State(velocity, index);
        bool first = StepCount == 1;
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i] + wd * w[i];
            v[i] = first ? gi : mu * v[i] + gi;
            w[i] -= lr * (Nesterov ? gi + mu * v[i] : v[i]);
        }
    }
}
