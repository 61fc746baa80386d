using Sinapse.Losses;

namespace Sinapse.Tests;

public class LossTests
{
    static readonly Tensor P = Tensor.FromArray([0.5f, 2f, -1f, 3f], 2, 2);
    static readonly Tensor T = Tensor.FromArray([1f, 1f, 0f, 1f], 2, 2);

    [Fact]
    public void Mse_MeanSumNone_AndTheHalfConvention()
    {
        // diffs: -0.5, 1, -1, 2 → squares 0.25, 1, 1, 4
        Assert.Equal(6.25f / 4, new MSELoss().Call(P, T).Item(), 5);
        Assert.Equal(6.25f, new MSELoss(Reduction.Sum).Call(P, T).Item(), 5);
        Assert.Equal([0.25f, 1, 1, 4], new MSELoss(Reduction.None).Call(P, T).ToArray());
        // J = 1/(2m) Σ (ŷ − y)²: its gradient is (ŷ − y)/m.
        var p = P.Clone().Detach().RequireGrad();
        var j = new MSELoss(half: true).Call(p, T);
        Assert.Equal(6.25f / 8, j.Item(), 5);
        j.Backward();
        Assert.Equal([-0.5f / 4, 1f / 4, -1f / 4, 2f / 4], p.Grad!.ToArray());
    }

    [Fact]
    public void L1_And_Huber()
    {
        Assert.Equal(4.5f / 4, new L1Loss().Call(P, T).Item(), 5);
        // Huber δ=1: |d| ≤ 1 → ½d²; else |d| − ½ : 0.125, 0.5, 0.5, 1.5
        Assert.Equal(2.625f / 4, new HuberLoss().Call(P, T).Item(), 5);
    }

    [Fact]
    public void BinaryCrossEntropy_ProbabilitiesAndLogits()
    {
        var z = Tensor.FromArray([0.3f, -1.2f, 2f]);
        var t = Tensor.FromArray([1f, 0f, 1f]);
        float expected = new[] { (0.3f, 1f), (-1.2f, 0f), (2f, 1f) }.Select(q =>
        {
            float p = 1f / (1f + MathF.Exp(-q.Item1));
            return -(q.Item2 * MathF.Log(p) + (1 - q.Item2) * MathF.Log(1 - p));
        }).Average();
        Assert.Equal(expected, new BCEWithLogitsLoss().Call(z, t).Item(), 5);
        Assert.Equal(expected, new BCELoss().Call(z.Sigmoid(), t).Item(), 5);
        Assert.True(float.IsFinite(new BCEWithLogitsLoss().Call(Tensor.FromArray([200f, -200f]), Tensor.FromArray([0f, 1f])).Item()));
    }

    [Fact]
    public void CrossEntropy_WeightsAndLabelSmoothing()
    {
        var logits = Tensor.FromArray(new float[,] { { 2, 1, 0.1f }, { 0.5f, 2.5f, 0.3f } });
        var target = Tensor.FromArray([0f, 1f]);
        var lp = logits.LogSoftmax(1).ToArray();
        Assert.Equal(-(lp[0] + lp[4]) / 2, new CrossEntropyLoss().Call(logits, target).Item(), 5);
        Assert.Equal(-(lp[0] + lp[4]) / 2, new NLLLoss().Call(logits.LogSoftmax(1), target).Item(), 5);
        // class weights: Σ w_c·nll / Σ w_c
        var w = new[] { 2f, 0.5f, 1f };
        Assert.Equal(-(2 * lp[0] + 0.5f * lp[4]) / 2.5f, new CrossEntropyLoss(weights: w).Call(logits, target).Item(), 5);
        // label smoothing ε: (1−ε)·nll + ε·mean over classes of −logp
        float eps = 0.1f;
        float smooth = -(lp.Take(3).Sum() / 3 + lp.Skip(3).Sum() / 3) / 2;
        Assert.Equal((1 - eps) * -(lp[0] + lp[4]) / 2 + eps * smooth, new CrossEntropyLoss(labelSmoothing: eps).Call(logits, target).Item(), 5);
        Assert.Equal(2, new CrossEntropyLoss(Reduction.None).Call(logits, target).Numel);
        // stable for huge logits
        Assert.True(float.IsFinite(new CrossEntropyLoss().Call(Tensor.FromArray(new float[,] { { 1000, -1000 } }), Tensor.FromArray([1f])).Item()));
        var e = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Call(logits, Tensor.FromArray([0f, 3f])));
        Assert.Contains("CrossEntropyLoss", e.Message);
    }

    public static TheoryData<string> AllLosses => new() { "mse", "mse-half", "l1", "huber", "bce", "bce-logits", "ce", "ce-weighted-smooth", "nll" };

    [Theory, MemberData(nameof(AllLosses))]
    public void EveryLoss_PassesGradCheck(string name)
    {
        var x = TestUtil.Param([4, 3], 12, 0.1f, 0.9f);
        var prob = Tensor.FromArray([1f, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0], 4, 3);
        var reg = Tensor.Uniform([4, 3], -1, 3, new Generator(3));
        var cls = Tensor.FromArray([0f, 2, 1, 2]);
        Func<Tensor, Tensor> f = name switch
        {
            "mse" => p => new MSELoss().Call(p, reg),
            "mse-half" => p => new MSELoss(Reduction.Sum, half: true).Call(p, reg),
            "l1" => p => new L1Loss().Call(p, reg),
            "huber" => p => new HuberLoss(delta: 1f).Call(p * 2f, reg),
            "bce" => p => new BCELoss().Call(p, prob),
            "bce-logits" => p => new BCEWithLogitsLoss().Call(p * 3f, prob),
            "ce" => p => new CrossEntropyLoss().Call(p * 3f, cls),
            "ce-weighted-smooth" => p => new CrossEntropyLoss(weights: [1f, 2f, 0.5f], labelSmoothing: 0.2f).Call(p * 3f, cls),
            _ => p => new NLLLoss().Call((p * 3f).LogSoftmax(1), cls),
        };
        TestUtil.Passes(GradCheck.Check(f, x));
    }

    [Fact]
    public void ShapeMismatch_NamesTheLossAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new MSELoss().Call(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("MSELoss", e.Message); Assert.Contains("(2, 3)", e.Message); Assert.Contains("(3, 2)", e.Message);
    }

    [Fact]
    public void FusedSoftmaxCrossEntropy_MatchesLogSoftmaxThenNll()
    {
        var g = new Generator(8);
        foreach (var reduction in new[] { Reduction.Mean, Reduction.Sum })
        {
            var x1 = Tensor.Randn([7, 5], g).RequireGrad();
            var x2 = x1.Detach().Clone().RequireGrad();
            var t = Tensor.FromArray([0f, 4, 2, 2, 1, 3, 0]);
            var fused = new CrossEntropyLoss(reduction).Call(x1, t);
            var composite = new NLLLoss(reduction).Call(x2.LogSoftmax(1), t);
            Assert.Equal("SoftmaxCrossEntropy", fused.GradFnName);
            Assert.Equal(composite.Item(), fused.Item(), 5);
            fused.Backward(); composite.Backward();
            TestUtil.Close(x2.Grad!, x1.Grad!, 1e-6f);
        }
    }
}
