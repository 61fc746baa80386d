using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Tests;

public class ClassicOptimizerTests
{
    static Func<Module<Tensor, Tensor>> Net(int inputs, int hidden, int outputs) => () =>
    {
        var g = new Generator(3);
        return new Sequential(new Linear(inputs, hidden, gen: g), new Tanh(), new Linear(hidden, outputs, gen: g));
    };

    static TensorDataset Iris()
    {
        var d = TabularData.LoadShipped("iris");
        return new TensorDataset(Standardizer.Fit(d.Data.Inputs).Apply(d.Data.Inputs), d.Data.Targets);
    }

    public static TheoryData<string, string> Cases => new()
    {
        { "rprop", "xor" }, { "rprop", "parity4" }, { "rprop", "iris" },
        { "quickprop", "xor" }, { "quickprop", "parity4" }, { "quickprop", "iris" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FullBatchMethods_ReachTheTargetLoss(string method, string problem)
    {
        var (data, net, target) = problem switch
        {
            "xor" => (ClassicProblems.Xor(), Net(2, 4, 2), 0.05f),
            "parity4" => (ClassicProblems.Parity(4), Net(4, 8, 2), 0.05f),
            _ => (Iris(), Net(4, 16, 3), 0.1f),
        };
        Func<IEnumerable<Tensor>, Optimizer> opt = method == "rprop" ? p => new Rprop(p, 0.05f) : p => new Quickprop(p, 0.1f);
        var r = EpochsToTarget.Run(method, net, opt, data, new CrossEntropyLoss(), target, 2000);
        Assert.True(r.Epochs.HasValue, $"{method} on {problem}: loss {r.Losses[^1]} after {r.Losses.Count} epochs");
    }

    [Fact]
    public void Quickprop_OnAParabola_FindsTheMinimumFarSoonerThanGradientDescent()
    {
        // E(w) = (w − 3)²: the secant steps model the parabola exactly; plain descent with the same ε = 0.1 shrinks the
        // error by 0.8 a step (0.8¹² ≈ 0.07, so |w − 3| ≈ 0.2 after 12 steps).
        float Run(Func<Tensor, Optimizer> make)
        {
            var w = Tensor.FromArray([0f], 1);
            w.RequiresGrad = true;
            var opt = make(w);
            for (int i = 0; i < 12; i++)
            {
                opt.ZeroGrad();
                ((w - 3f) * (w - 3f)).Sum().Backward();
                opt.Step();
            }
            return MathF.Abs(w.ToArray()[0] - 3f);
        }
        Assert.True(Run(w => new Quickprop([w], 0.1f, weightDecay: 0)) < 1e-3f);
        Assert.True(Run(w => new SGD([w], 0.1f)) > 0.1f);
    }

    [Fact]
    public void Quickprop_CapsGrowth_AtMu()
    {
        // On a linear error the slope never changes: the parabola has no minimum, so each step is μ times the last.
        var w = Tensor.FromArray([0f], 1);
        w.RequiresGrad = true;
        var opt = new Quickprop([w], 0.1f, maxGrowth: 1.75f, weightDecay: 0);
        var steps = new List<float>();
        float before = 0;
        for (int i = 0; i < 4; i++)
        {
            opt.ZeroGrad();
            (w * 2f).Sum().Backward();
            opt.Step();
            float now = w.ToArray()[0];
            steps.Add(now - before);
            before = now;
        }
        Assert.Equal(-0.2f, steps[0], 6); // −ε·g
        for (int i = 1; i < 4; i++) Assert.Equal(steps[i - 1] * 1.75f - 0.1f * 2f, steps[i], 5); // μ·Δw plus the descent term (same slope sign)
    }

    [Fact]
    public void Rprop_GrowsWhileTheSignHolds_AndBacksOffWhenItFlips()
    {
        var w = Tensor.FromArray([0f], 1);
        w.RequiresGrad = true;
        var opt = new Rprop([w], 0.1f);
        float[] Trace(Func<float, float> grad, int n)
        {
            var t = new float[n];
            for (int i = 0; i < n; i++)
            {
                opt.ZeroGrad();
                var x = w.ToArray()[0];
                (w * grad(x)).Sum().Backward(); // gradient = grad(x), a constant per step
                opt.Step();
                t[i] = w.ToArray()[0];
            }
            return t;
        }
        var t1 = Trace(_ => 1f, 3);
        Assert.Equal([-0.1f, -0.22f, -0.364f], t1.Select(v => MathF.Round(v, 4)));
        // The sign flips: no move this step (iRprop−), the step halves; the next step moves by it.
        var t2 = Trace(_ => -1f, 2);
        Assert.Equal(-0.364f, t2[0], 4);
        Assert.Equal(-0.364f + 0.072f, t2[1], 4);
    }
}
