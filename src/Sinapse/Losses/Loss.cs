using Sinapse.Layers;

namespace Sinapse.Losses;

/// <summary>How per-element losses are combined: averaged, added, or returned as they are.</summary>
public enum Reduction { Mean, Sum, None }

/// <summary>A loss function L(prediction, target), a module of two inputs. Shape: documented by each loss.</summary>
public abstract class Loss : Module<Tensor, Tensor, Tensor>
{
    public Reduction Reduction { get; }
    protected Loss(Reduction reduction) => Reduction = reduction;


    protected Tensor Reduce(Tensor perElement) => Reduction switch
    {
        Reduction.Mean => perElement.Mean(),
        Reduction.Sum => perElement.Sum(),
        _ => perElement,
    };

    protected static void SameShape(string loss, Tensor input, Tensor target)
    {
        if (!input.Shape.AsSpan().SequenceEqual(target.Shape))
            throw new ArgumentException($"{loss}: input {ShapeUtil.Str(input.Shape)} and target {ShapeUtil.Str(target.Shape)} must have the same shape.");
    }
}

/// <summary>
/// Mean squared error (y − t)². With <paramref name="half"/> true it is the classic cost ½·mean(y − t)², whose
/// derivative is simply (y − t)/m — the convention of the course's cost function J = 1/(2m) Σ (ŷ − y)².
/// </summary>
/// <remarks>Shape: input and target equal, any shape.</remarks>
public sealed class MSELoss(Reduction reduction = Reduction.Mean, bool half = false) : Loss(reduction)
{
    public bool Half { get; } = half;
    public override Tensor Forward(Tensor input, Tensor target)
    {
        SameShape("MSELoss", input, target);
        var d = input - target;
        var l = Reduce(d * d);
        return Half ? l * 0.5f : l;
    }
}

/// <summary>Mean absolute error |y − t|. Shape: input and target equal.</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override Tensor Forward(Tensor input, Tensor target)
    {
        SameShape("L1Loss", input, target);
        return Reduce((input - target).Abs());
    }
}

/// <summary>Huber loss: ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond — quadratic near 0, linear for outliers.</summary>
public sealed class HuberLoss(Reduction reduction = Reduction.Mean, float delta = 1f) : Loss(reduction)
{
    public float Delta { get; } = delta;
    public override Tensor Forward(Tensor input, Tensor target)
    {
        SameShape("HuberLoss", input, target);
        var d = input - target;
        var a = d.Abs();
        var quad = d * d * 0.5f;
        var lin = (a - 0.5f * Delta) * Delta;
        return Reduce(Tensor.Where(a.NoGraph().Le(Delta), quad, lin));
    }
}
