namespace Sinapse.Optimizers;

/// <summary>
/// Base of the gradient-descent optimizers. <see cref="Step"/> updates every parameter in place from its
/// <see cref="Tensor.Grad"/> (parameters without a gradient are skipped); state buffers are allocated once.
/// </summary>
public abstract class Optimizer
{
    protected readonly Tensor[] Params;

    /// <summary>The learning rate η; schedulers change it between epochs.</summary>
    public float LearningRate { get; set; }

    /// <summary>Number of steps taken.</summary>
    public int StepCount { get; private set; }

    protected Optimizer(IEnumerable<Tensor> parameters, float lr)
    {
        Params = parameters.ToArray();
        if (Params.Length == 0) throw new ArgumentException($"{GetType().Name}: no parameters to optimise.");
        if (!(lr >= 0)) throw new ArgumentOutOfRangeException(nameof(lr), lr, $"{GetType().Name}: learning rate must be non-negative.");
        foreach (var p in Params)
            if (!p.IsContiguous) throw new ArgumentException($"{GetType().Name}: parameters must be contiguous tensors.");
        LearningRate = lr;
        // Everything training will keep is allocated now, long-lived, rather than in its first step.
        foreach (var p in Params) p.ReserveGrad();
    }

    /// <summary>
    /// Zeroes all gradients in place, keeping their buffers for the next backward pass (no allocation);
    /// with <paramref name="setToNone"/> the gradients are dropped instead (<see cref="Tensor.Grad"/> becomes null).
    /// </summary>
    public void ZeroGrad(bool setToNone = false) => GradUtil.Zero(Params, setToNone);

    /// <summary>Applies one update.</summary>
    public void Step()
    {
        StepCount++;
        using var _ = Autograd.NoGrad();
        for (int i = 0; i < Params.Length; i++)
        {
            var p = Params[i];
            if (p.Grad == null) continue;
            var g = p.Grad.IsContiguous ? p.Grad : p.Grad.Contiguous();
            Update(i, p.Span, g.Span);
        }
    }

    /// <summary>Updates parameter <paramref name="index"/> (values <paramref name="w"/>) given its gradient <paramref name="g"/>.</summary>
    protected abstract void Update(int index, Span<float> w, ReadOnlySpan<float> g);

    /// <summary>Zero-filled state buffers, one per parameter, allocated now (long-lived, like the pool's).</summary>
    protected float[]?[] NewState() => Array.ConvertAll(Params, p => (float[]?)BufferPool.LongLived(p.Size));

    /// <summary>A zero-filled state buffer per parameter, created on first use.</summary>
    protected float[] State(float[]?[] states, int index) => states[index] ??= BufferPool.LongLived(Params[index].Size);
}
