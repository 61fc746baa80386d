namespace Sinapse.Data;

/// <summary>Feature scaling helpers.</summary>
public static class Normalize
{
    /// <summary>(x − mean) / std with scalar statistics, e.g. MNIST's 0.1307 / 0.3081.</summary>
    public static Tensor Apply(Tensor x, float mean, float std) => (x - mean) / std;

    /// <summary>Per-column mean and standard deviation of a (N, F) tensor, to standardise features.</summary>
    public static (Tensor Mean, Tensor Std) Fit(Tensor x)
    {
        using var _ = Autograd.NoGrad();
        return (x.Mean(0), x.Std(0, correction: 0).Clamp(1e-8f));
    }

    /// <summary>(x − mean) / std with per-column statistics from <see cref="Fit"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor mean, Tensor std) => (x - mean) / std;
}
