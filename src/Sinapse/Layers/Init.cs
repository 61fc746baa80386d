namespace Sinapse.Layers;

/// <summary>
/// Weight initialisers; each fills a tensor in place (without tracking gradients) and returns it.
/// fan_in/fan_out of a (out, in, …) weight are in·receptive and out·receptive.
/// </summary>
public static class Init
{
    public static (int FanIn, int FanOut) Fans(Tensor t)
    {
        if (t.Rank < 2) throw new ArgumentException($"Init: fan in/out need at least 2 dimensions, got {ShapeUtil.Str(t.Shape)}.");
        int receptive = 1;
        for (int i = 2; i < t.Rank; i++) receptive *= t.Shape[i];
        return (t.Shape[1] * receptive, t.Shape[0] * receptive);
    }

    /// <summary>Recommended gain for a nonlinearity: relu √2, tanh 5/3, leaky_relu √(2/(1+slope²)), others 1.</summary>
    public static float Gain(string nonlinearity, float slope = 0.01f) => nonlinearity.ToLowerInvariant() switch
    {
        "relu" => MathF.Sqrt(2f),
        "tanh" => 5f / 3f,
        "leaky_relu" => MathF.Sqrt(2f / (1f + slope * slope)),
        "linear" or "sigmoid" or "identity" => 1f,
        _ => throw new ArgumentException($"Init: unknown nonlinearity '{nonlinearity}' (relu, tanh, leaky_relu, sigmoid, linear)."),
    };

    static Tensor Fill(Tensor t, Tensor values) { using (Autograd.NoGrad()) t.CopyFrom(values); return t; }

    public static Tensor Zeros(Tensor t) => Constant(t, 0f);
    public static Tensor Constant(Tensor t, float value) => Fill(t, Tensor.Full(t.Shape, value));
    public static Tensor Uniform(Tensor t, float low, float high, Generator? gen = null) => Fill(t, Tensor.Uniform(t.Shape, low, high, gen));
    public static Tensor Normal(Tensor t, float mean, float std, Generator? gen = null) => Fill(t, Tensor.Normal(t.Shape, mean, std, gen));

    /// <summary>Glorot: U(±gain·√(6/(fan_in+fan_out))).</summary>
    public static Tensor XavierUniform(Tensor t, float gain = 1f, Generator? gen = null)
    {
        var (fi, fo) = Fans(t);
        float a = gain * MathF.Sqrt(6f / (fi + fo));
        return Uniform(t, -a, a, gen);
    }

    /// <summary>Glorot: N(0, gain²·2/(fan_in+fan_out)).</summary>
    public static Tensor XavierNormal(Tensor t, float gain = 1f, Generator? gen = null)
    {
        var (fi, fo) = Fans(t);
        return Normal(t, 0f, gain * MathF.Sqrt(2f / (fi + fo)), gen);
    }

    /// <summary>He: U(±gain·√(3/fan)), fan = fan_in (default) or fan_out.</summary>
    public static Tensor KaimingUniform(Tensor t, string nonlinearity = "relu", bool fanIn = true, Generator? gen = null)
    {
        var (fi, fo) = Fans(t);
        float bound = Gain(nonlinearity) * MathF.Sqrt(3f / (fanIn ? fi : fo));
        return Uniform(t, -bound, bound, gen);
    }

    /// <summary>He: N(0, gain²/fan), fan = fan_in (default) or fan_out.</summary>
    public static Tensor KaimingNormal(Tensor t, string nonlinearity = "relu", bool fanIn = true, Generator? gen = null)
    {
        var (fi, fo) = Fans(t);
        return Normal(t, 0f, Gain(nonlinearity) / MathF.Sqrt(fanIn ? fi : fo), gen);
    }
}
