using Sinapse.Layers;

namespace Sinapse.Training;

/// <summary>
/// An exponential moving average of a module's parameters (Polyak averaging): after each optimizer step,
/// <c>average ← d·average + (1 − d)·w</c> with d = min(<see cref="Decay"/>, (1 + t)/(10 + t)) at update t, so the
/// early average does not drag the start along. Sampling a GAN's generator with its averaged weights gives cleaner
/// images than its last weights, which still oscillate with the game (Yazıcı et al. 2019). Buffers (batch-norm
/// statistics) are not averaged. Saved in resumable checkpoints.
/// </summary>
public sealed class WeightAverage : IStateful
{
    readonly Tensor[] parameters;
    readonly float[][] average;
    long updates;

    public float Decay { get; }

    public WeightAverage(Module module, float decay = 0.999f)
    {
        if (decay is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "WeightAverage: the decay must be in (0, 1).");
        Decay = decay;
        parameters = module.Parameters().ToArray();
        average = parameters.Select(p => p.AsReadOnlySpan().ToArray()).ToArray();
    }

    /// <summary>Folds the current weights into the average (call after each optimizer step).</summary>
    public void Update()
    {
        updates++;
        float d = Math.Min(Decay, (1f + updates) / (10f + updates));
        for (int i = 0; i < parameters.Length; i++)
        {
            var w = parameters[i].AsReadOnlySpan();
            var a = average[i].AsSpan();
            // a = d·a + (1 − d)·w, as a + (1 − d)·(w − a)
            for (int k = 0; k < a.Length; k++) a[k] += (1 - d) * (w[k] - a[k]);
        }
    }

    /// <summary>Puts the averaged weights into the module until the returned scope is disposed (then the trained ones return).</summary>
    public IDisposable Apply()
    {
        var kept = parameters.Select(p => p.AsReadOnlySpan().ToArray()).ToArray();
        CopyInto(average);
        return new Restore(this, kept);
    }

    /// <summary>Puts the averaged weights into the module for good (before saving it).</summary>
    public void CopyToModule() => CopyInto(average);

    void CopyInto(float[][] values)
    {
        using var _ = Autograd.NoGrad();
        for (int i = 0; i < parameters.Length; i++) { values[i].CopyTo(parameters[i].AsSpan()); parameters[i].BumpVersion(); }
    }

    sealed class Restore(WeightAverage owner, float[][] kept) : IDisposable
    {
        bool done;
        public void Dispose() { if (!done) { owner.CopyInto(kept); done = true; } }
    }

    public void SaveState(TrainingState state, string prefix)
    {
        state.Set(prefix + "updates", updates);
        for (int i = 0; i < average.Length; i++) state.SetArray($"{prefix}{i}", average[i]);
    }

    public void LoadState(TrainingState state, string prefix)
    {
        updates = state.GetLong(prefix + "updates");
        for (int i = 0; i < average.Length; i++) state.CopyArray($"{prefix}{i}", average[i]);
    }
}
