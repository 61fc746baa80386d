using Sinapse.Optimizers;

using Sinapse.Tests.Support;

namespace Sinapse.Tests;

[Collection(nameof(ProcessWideCollection))]
public class OptimizerTests
{
    // f(w) = Σ (w − target)², minimum at target.
    static float Minimise(Func<Tensor[], Optimizer> make, int steps)
    {
        var w = Tensor.FromArray([3f, -2f, 0.5f]).RequireGrad();
        var target = Tensor.FromArray([1f, 1f, -1f]);
        var opt = make([w]);
        for (int i = 0; i < steps; i++)
        {
            opt.ZeroGrad();
            ((w - target) * (w - target)).Sum().Backward();
            opt.Step();
        }
        return (w - target).Abs().Max().Item();
    }

    public static TheoryData<string> Names => new() { "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw" };

    [Theory, MemberData(nameof(Names))]
    public void EveryOptimizer_FindsTheMinimumOfAQuadratic(string name)
    {
        Func<Tensor[], Optimizer> make = name switch
        {
            "sgd" => p => new SGD(p, 0.1f),
            "momentum" => p => new SGD(p, 0.05f, momentum: 0.9f),
            "nesterov" => p => new SGD(p, 0.05f, momentum: 0.9f, nesterov: true),
            "adagrad" => p => new Adagrad(p, 0.5f),
            "rmsprop" => p => new RMSprop(p, 0.01f),
            "adam" => p => new Adam(p, 0.1f),
            _ => p => new AdamW(p, 0.1f, weightDecay: 0f),
        };
        Assert.True(Minimise(make, 500) < 0.02f, name);
    }

    [Fact]
    public void Adam_FirstStep_MovesEachWeightByTheLearningRate()
    {
        // With bias correction, Adam's first step is lr·g/|g| = lr·sign(g).
        var w = Tensor.FromArray([1f, -1f]).RequireGrad();
        var opt = new Adam([w], 0.01f);
        (w * Tensor.FromArray([3f, -0.2f])).Sum().Backward();
        opt.Step();
        TestUtil.Close([0.99f, -0.99f], w.ToArray(), 1e-5f);
    }

    [Fact]
    public void WeightDecay_SGDvsAdamW()
    {
        var w = Tensor.FromArray([2f]).RequireGrad();
        var opt = new SGD([w], 0.1f, weightDecay: 0.5f);
        w.Grad = Tensor.Zeros(1);
        opt.Step();
        Assert.Equal(2f - 0.1f * 0.5f * 2f, w.Item(), 6);
        var v = Tensor.FromArray([2f]).RequireGrad();
        var aw = new AdamW([v], 0.1f, weightDecay: 0.5f);
        v.Grad = Tensor.Zeros(1);
        aw.Step();
        Assert.Equal(2f * (1 - 0.1f * 0.5f), v.Item(), 6);
    }

    [Fact]
    public void Schedulers()
    {
        var opt = new SGD([Tensor.Zeros(1).RequireGrad()], 1f);
        var step = new StepLR(opt, 2, 0.5f);
        var lrs = Enumerable.Range(0, 5).Select(_ => { step.Step(); return opt.LearningRate; }).ToArray();
        Assert.Equal([1f, 0.5f, 0.5f, 0.25f, 0.25f], lrs);
        opt.LearningRate = 1f;
        var exp = new ExponentialLR(opt, 0.9f); exp.Step(); exp.Step();
        Assert.Equal(0.81f, opt.LearningRate, 5);
        opt.LearningRate = 1f;
        var cos = new CosineAnnealingLR(opt, 4, 0f);
        cos.Step(); Assert.Equal(0.8535534f, opt.LearningRate, 5);
        cos.Step(); cos.Step(); cos.Step(); Assert.Equal(0f, opt.LearningRate, 5);
        opt.LearningRate = 1f;
        var plateau = new ReduceLROnPlateau(opt, factor: 0.5f, patience: 1);
        plateau.Step(1f); plateau.Step(1f); Assert.Equal(1f, opt.LearningRate);
        plateau.Step(1f); Assert.Equal(0.5f, opt.LearningRate);
    }

    [Fact]
    public void GradientClipping()
    {
        var a = Tensor.Zeros(2).RequireGrad(); a.Grad = Tensor.FromArray([3f, 0f]);
        var b = Tensor.Zeros(1).RequireGrad(); b.Grad = Tensor.FromArray([4f]);
        float norm = GradClip.ClipNorm([a, b], 1f);
        Assert.Equal(5f, norm, 5);
        TestUtil.Close([0.6f, 0f], a.Grad.ToArray(), 1e-5f);
        TestUtil.Close([0.8f], b.Grad.ToArray(), 1e-5f);
        a.Grad = Tensor.FromArray([3f, -7f]);
        GradClip.ClipValue([a], 2f);
        Assert.Equal([2f, -2f], a.Grad.ToArray());
    }
    static Optimizer Make(string name, Tensor[] p) => name switch
    {
        "sgd" => new SGD(p, 0.1f, weightDecay: 0.01f),
        "momentum" => new SGD(p, 0.05f, momentum: 0.9f),
        "nesterov" => new SGD(p, 0.05f, momentum: 0.9f, nesterov: true),
        "adagrad" => new Adagrad(p, 0.5f),
        "rmsprop" => new RMSprop(p, 0.01f, momentum: 0.5f),
        "adam" => new Adam(p, 0.1f, weightDecay: 0.01f),
        _ => new AdamW(p, 0.1f),
    };

    [Theory, MemberData(nameof(Names))]
    public void EveryOptimizer_GivesTheSameBitsOnOneAndSeveralThreads(string name)
    {
        // A parameter large enough to be updated in slices (40,013 elements: not a multiple of the slice alignment)
        // and a small one that is updated whole; five steps on 1 thread and on 2 and 3 must agree exactly.
        float[][] Train(int threads)
        {
            var gen = new Generator(3);
            var big = Tensor.Randn([40_013], gen).RequireGrad();
            var small = Tensor.Randn([100], gen).RequireGrad();
            var rb = Tensor.Randn([40_013], gen); var rs = Tensor.Randn([100], gen);
            var opt = Make(name, [big, small]);
            try
            {
                Settings.Threads = threads;
                for (int i = 0; i < 5; i++)
                {
                    opt.ZeroGrad();
                    ((big * big * rb).Sum() + (small * rs).Sum()).Backward();
                    opt.Step();
                }
            }
            finally { Settings.Threads = Environment.ProcessorCount; }
            return [big.ToArray(), small.ToArray()];
        }
        var one = Train(1);
        foreach (var threads in new[] { 2, 3 })
        {
            var many = Train(threads);
            Assert.Equal(one[0], many[0]);
            Assert.Equal(one[1], many[1]);
        }
        Assert.NotEqual(Train(1)[0], Tensor.Randn([40_013], new Generator(3)).ToArray()); // the steps did move the weights
    }

    /// <summary>Records the slices Step hands to Update.</summary>
    sealed class Recorder(IEnumerable<Tensor> p, bool elementWise) : Optimizer(p, 0.1f)
    {
        public readonly List<(int Index, int Offset, int Length)> Calls = [];
        protected override bool ElementWise => elementWise;
        protected override void Update(int index, int offset, Span<float> w, ReadOnlySpan<float> g)
        {
            lock (Calls) Calls.Add((index, offset, w.Length));
            for (int i = 0; i < w.Length; i++) w[i] -= g[i];
        }
    }

    [Theory, InlineData(true), InlineData(false)]
    public void Step_HandsUpdateDisjointSlicesThatCoverEveryParameter_OrWholeOnesWhenNotElementWise(bool elementWise)
    {
        var big = Tensor.Zeros(50_001).RequireGrad(); var small = Tensor.Zeros(7).RequireGrad();
        big.Grad = Tensor.Ones(50_001); small.Grad = Tensor.Ones(7);
        var opt = new Recorder([big, small], elementWise);
        try { Settings.Threads = 3; opt.Step(); }
        finally { Settings.Threads = Environment.ProcessorCount; }
        foreach (var (index, size) in new[] { (0, 50_001), (1, 7) })
        {
            var slices = opt.Calls.Where(c => c.Index == index).OrderBy(c => c.Offset).ToList();
            int next = 0;
            foreach (var c in slices) { Assert.Equal(next, c.Offset); next += c.Length; }
            Assert.Equal(size, next);
            if (!elementWise || index == 1) Assert.Single(slices);
        }
        Assert.All(big.ToArray(), v => Assert.Equal(-1f, v));
        Assert.All(small.ToArray(), v => Assert.Equal(-1f, v));
    }
}
