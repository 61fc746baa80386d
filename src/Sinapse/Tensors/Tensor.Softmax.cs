namespace Sinapse;

public sealed partial class Tensor
{
    /// <summary>
    /// softmax(x)ᵢ = e^(xᵢ−max) / Σⱼ e^(xⱼ−max) along <paramref name="dim"/> (max subtracted for stability).
    /// Backward: dx = s ⊙ (g − Σ g⊙s).
    /// </summary>
    public Tensor Softmax(int dim = -1)
    {
        int d = ShapeUtil.Axis(dim, Rank, "Softmax");
        var x = NoGraph();
        var e = (x - x.Max(d, true)).Exp();
        var s = e / e.Sum(d, true);
        return Autograd.Record(s, "Softmax", [this], g => [s * (g - (g * s).Sum(d, true))]);
    }

    /// <summary>
    /// log softmax(x) = x − max − log Σ e^(x−max) along <paramref name="dim"/>, stable for large logits.
    /// Backward: dx = g − softmax ⊙ Σ g.
    /// </summary>
    public Tensor LogSoftmax(int dim = -1)
    {
        int d = ShapeUtil.Axis(dim, Rank, "LogSoftmax");
        var x = NoGraph();
        var shifted = x - x.Max(d, true);
        var lse = shifted.Exp().Sum(d, true).Log();
        var o = shifted - lse;
        return Autograd.Record(o, "LogSoftmax", [this], g => [g - o.Exp() * g.Sum(d, true)]);
    }

    /// <summary>log Σ eˣ along <paramref name="dim"/>, computed stably. Backward: softmax ⊙ g.</summary>
    public Tensor LogSumExp(int dim = -1, bool keepDim = false)
    {
        int d = ShapeUtil.Axis(dim, Rank, "LogSumExp");
        var x = NoGraph();
        var m = x.Max(d, true);
        var lseK = (x - m).Exp().Sum(d, true).Log() + m;
        var o = keepDim ? lseK : lseK.Squeeze(d);
        return Autograd.Record(o, "LogSumExp", [this], g => [(x - lseK).Exp() * (keepDim ? g : g.Unsqueeze(d))]);
    }
}
