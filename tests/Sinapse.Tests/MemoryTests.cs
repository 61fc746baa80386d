using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Tests;

/// <summary>
/// The engine reuses the storage of what a module call makes and does not return; these tests hold it to what a user
/// can observe: values the caller holds never change, results equal those computed without reuse, and a spent graph
/// says so. Allocation and collection counts are measured in bench/ (MEM).
/// </summary>
public class MemoryTests
{
    static (Sequential, SGD, CrossEntropyLoss, Tensor, Tensor) Setup()
    {
        var g = new Generator(42);
        var model = new Sequential(new Linear(784, 512, gen: g), new ReLU(), new Linear(512, 256, gen: g), new ReLU(), new Linear(256, 10, gen: g));
        return (model, new SGD(model.Parameters(), 0.01f, momentum: 0.9f), new CrossEntropyLoss(),
            Tensor.Randn([128, 784], g), Tensor.FromArray(Enumerable.Range(0, 128).Select(i => (float)(i % 10)).ToArray()));
    }

    [Fact]
    public void TensorsTheCallerHolds_AreNeverRecycled()
    {
        var (model, opt, loss, x, y) = Setup();
        opt.ZeroGrad();
        var out1 = model.Call(x);
        var l = loss.Call(out1, y);
        l.Backward();
        var keep = out1.ToArray();
        var grad = model.Parameters().First().Grad!.ToArray();
        opt.Step();
        for (int i = 0; i < 3; i++) { opt.ZeroGrad(); loss.Call(model.Call(x * 0.5f), y).Backward(); opt.Step(); }
        Assert.Equal(keep, out1.ToArray());           // the first step's output is untouched
        Assert.NotEqual(grad, model.Parameters().First().Grad!.ToArray());
    }

    [Fact]
    public void ReservedGradient_IsUsedOnce_SoAGradientTheCallerKeepsIsNeverOverwritten()
    {
        var w = Tensor.Ones(2000).RequireGrad();
        var opt = new SGD([w], 0.1f);
        (w * 2f).Sum().Backward();
        var first = w.Grad!;
        opt.ZeroGrad(setToNone: true);
        (w * 3f).Sum().Backward();
        Assert.NotSame(first.data, w.Grad!.data);
        Assert.All(first.ToArray(), v => Assert.Equal(2f, v));
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(3f, v));
    }

    [Fact]
    public void ZeroGrad_KeepsBuffersOrDropsThem()
    {
        var w = Tensor.Ones(2000).RequireGrad();
        var opt = new SGD([w], 0.1f);
        (w * 2f).Sum().Backward();
        var buffer = w.Grad!;
        opt.ZeroGrad();
        Assert.Same(buffer, w.Grad);
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(0f, v));
        (w * 3f).Sum().Backward();
        Assert.Same(buffer, w.Grad);
        Assert.All(w.Grad!.ToArray(), v => Assert.Equal(3f, v));
        opt.ZeroGrad(setToNone: true);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void HiddenActivations_AreRecycledOnlyAfterBackward_AndASecondBackwardSaysSo()
    {
        var (model, _, loss, x, y) = Setup();
        var outA = model.Call(x);
        var l = loss.Call(outA, y);
        var before = outA.ToArray();
        l.Backward();
        var lossValue = l.Item();
        // Other work reuses the recycled buffers; what the caller holds (output, loss) keeps its values.
        for (int i = 0; i < 3; i++) loss.Call(model.Call(x * 0.25f), y).Backward();
        Assert.Equal(before, outA.ToArray());
        Assert.Equal(lossValue, l.Item());
        var e = Assert.Throws<InvalidOperationException>(() => l.Backward());
        Assert.Contains("already differentiated", e.Message);
        // The spent graph is cut loose: the loss the caller keeps holds one node, not the whole step's graph (which
        // would otherwise survive every collection made while the caller holds it, and be promoted).
        Assert.Empty(l.GradFn!.Inputs);
        Assert.Empty(outA.GradFn!.Inputs);
    }

    [Fact]
    public void RecyclingGivesTheSameResultsAsLayerByLayer()
    {
        var (model, _, _, x, _) = Setup();
        // Each layer called on its own is a top-level call whose output is kept: nothing is reused between them.
        Tensor Manual() { var h = x; foreach (var layer in model.Layers) h = layer.Call(h); return h; }
        using (Autograd.NoGrad())
        {
            var expected = Manual().ToArray();
            for (int i = 0; i < 3; i++) Assert.Equal(expected, model.Call(x).ToArray());
            Assert.Equal(expected, Manual().ToArray());
        }
    }

    /// <summary>A layer that keeps its input across calls, as a Hebbian trace would: it keeps the detached value.</summary>
    sealed class KeepsInput : Module<Tensor, Tensor>
    {
        public Tensor? Last;
        public override Tensor Forward(Tensor input) { Last = input.Detach(); return input.Tanh(); }
    }

    [Fact]
    public void DetachedValuesALayerKeeps_AreNotReused()
    {
        var g = new Generator(3);
        var keeper = new KeepsInput();
        var model = new Sequential(new Linear(50, 40, gen: g), new ReLU(), keeper, new Linear(40, 3, gen: g));
        var x = Tensor.Randn([64, 50], g);
        using (Autograd.NoGrad())
        {
            model.Call(x);
            var first = keeper.Last!;
            var kept = first.ToArray();
            for (int i = 0; i < 3; i++) model.Call(x * 2f);   // would overwrite a recycled buffer
            Assert.Equal(kept, first.ToArray());
        }
    }

    [Fact]
    public void ViewsOfAHiddenActivation_ReturnedAsOutput_AreKept()
    {
        // Flatten returns a view of its input: that activation escapes as the model's output, so it must not be
        // reused, even in a graph-free forward whose other tensors go back to the pool when the call ends.
        var g = new Generator(4);
        var model = new Sequential(new Linear(20, 1237 * 3, gen: g), new Tanh(), new Flatten(0), new Linear(1237 * 3, 2, gen: g));
        var head = new Sequential(new Linear(20, 1237 * 3, gen: g), new Tanh(), new Flatten(0));
        var x = Tensor.Randn([1, 20], g);
        using (Autograd.NoGrad())
        {
            var kept = head.Call(x);
            var expected = kept.ToArray();
            for (int i = 0; i < 3; i++) model.Call(x * 3f);   // rents arrays of the same size
            Assert.Equal(expected, kept.ToArray());
        }
    }

    /// <summary>A module of one input and two outputs, like a recurrent layer's (output, state).</summary>
    sealed class TwoHeads : Module<Tensor, (Tensor A, Tensor B)>
    {
        readonly Linear a, b;
        public TwoHeads(Generator g) { a = RegisterModule("a", new Linear(30, 1500, gen: g)); b = RegisterModule("b", new Linear(1500, 1200, gen: g)); }
        public override (Tensor A, Tensor B) Forward(Tensor x)
        {
            var h = a.Call(x).Tanh();
            return (h, b.Call(h).Relu());
        }
    }

    [Fact]
    public void EveryTensorOfATupleOutput_IsKept()
    {
        var g = new Generator(5);
        var m = new TwoHeads(g);
        var x = Tensor.Randn([2, 30], g);
        using (Autograd.NoGrad())
        {
            var (a, b) = m.Call(x);
            var ea = a.ToArray(); var eb = b.ToArray();
            for (int i = 0; i < 3; i++) m.Call(x * (i + 2f));
            Assert.Equal(ea, a.ToArray());
            Assert.Equal(eb, b.ToArray());
        }
        // With a graph, a loss on one output frees the call's graph: the other output's graph then says it is spent.
        var (p, q) = m.Call(x);
        p.Sum().Backward();
        var e = Assert.Throws<InvalidOperationException>(() => q.Sum().Backward());
        Assert.Contains("already differentiated", e.Message);
    }

    [Fact]
    public void GraphsDroppedWithoutBackward_LeaveTrainingCorrect()
    {
        // An evaluation loop that forgot NoGrad drops one graph per pass; training afterwards gives the same weights as
        // training without those passes.
        float[] Train(bool dropGraphs)
        {
            var (model, opt, loss, x, y) = Setup();
            if (dropGraphs) for (int i = 0; i < 50; i++) model.Call(x * 0.5f);
            for (int i = 0; i < 3; i++) { opt.ZeroGrad(); loss.Call(model.Call(x), y).Backward(); opt.Step(); }
            return model.Parameters().First().ToArray();
        }
        Assert.Equal(Train(false), Train(true));
    }

    [Fact]
    public void TrainingStepsWithReuse_EqualStepsWithFreshArrays()
    {
        // Forward on the top-level model is not a module call: its layers' outputs are each kept (fresh arrays), while
        // Call reuses them. The weights after several steps are the same, bit for bit.
        float[] Train(bool call)
        {
            var (model, opt, loss, x, y) = Setup();
            for (int i = 0; i < 4; i++) { opt.ZeroGrad(); loss.Call(call ? model.Call(x) : model.Forward(x), y).Backward(); opt.Step(); }
            return model.Parameters().Last().ToArray();
        }
        Assert.Equal(Train(false), Train(true));
    }
}
