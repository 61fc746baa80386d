using Sinapse.Layers;
using Sinapse.Losses;

namespace Sinapse.Tests;

/// <summary>Pooled arrays held by autograd graphs that are dropped without Backward.</summary>
[Collection(nameof(ProcessWideCollection))]
public class GraphLoanTests
{
    /// <summary>An MLP whose hidden activations (256 × 512) and softmax buffer (256 × 10) come from the pool, and a batch.</summary>
    static (Sequential Model, CrossEntropyLoss Loss, Tensor X, Tensor Y) Setup(ulong seed)
    {
        var g = new Generator(seed);
        var model = new Sequential(new Linear(64, 512, gen: g), new ReLU(), new Linear(512, 512, gen: g), new ReLU(), new Linear(512, 10, gen: g));
        var x = Tensor.Randn([256, 64], g);
        var y = Tensor.FromArray(Enumerable.Range(0, 256).Select(i => (float)(i % 10)).ToArray());
        return (model, new CrossEntropyLoss(), x, y);
    }

    [Fact]
    public void DroppedGraph_GivesItsHiddenActivationsAndSavedBuffersBackToThePool()
    {
        var (model, loss, x, y) = Setup(3);
        const int hidden = 256 * 512, probabilities = 256 * 10;
        Drop(model, loss, x, y, 1); // the pool now has a first set of arrays of these lengths
        GC.Collect(); GraphLoan.ReclaimDropped();
        int hiddenBefore = BufferPool.Idle(hidden), probabilitiesBefore = BufferPool.Idle(probabilities);
        long lentBefore = BufferPool.LentFloats;

        Drop(model, loss, x, y, 4); // four graphs, each holding two hidden activations and the softmax output
        Assert.True(BufferPool.LentFloats >= lentBefore + 4 * (2 * hidden + probabilities), "the dropped graphs' arrays are not counted as lent");
        GC.Collect(); GraphLoan.ReclaimDropped();

        Assert.Equal(lentBefore, BufferPool.LentFloats);
        // The four passes took what the pool held of each length and made the rest; all of it is idle again.
        Assert.True(BufferPool.Idle(hidden) >= Math.Max(hiddenBefore, 8), $"hidden activations in the pool: {BufferPool.Idle(hidden)}, before {hiddenBefore}");
        Assert.True(BufferPool.Idle(probabilities) >= Math.Max(probabilitiesBefore, 4), $"softmax buffers in the pool: {BufferPool.Idle(probabilities)}, before {probabilitiesBefore}");
    }

    [Fact]
    public void ForwardPassesWithAGraphButNoBackward_StayBoundedAndStartNoGen2Collections()
    {
        // Each pass lends about 1 MB of pinned arrays to its graph. Before loans were reclaimed, every few passes
        // exhausted the pinned heap's budget and started a gen-2 collection.
        var (model, loss, x, y) = Setup(4);
        Drop(model, loss, x, y, 100); // warm-up: the pool fills up to what the loop needs
        int gen2 = GC.CollectionCount(2);
        Drop(model, loss, x, y, 200);
        Assert.True(GC.CollectionCount(2) - gen2 <= 1, $"{GC.CollectionCount(2) - gen2} gen-2 collections in 200 forward passes");
        // 300 passes lent about 80 M floats in all; what is still out is at most what the reclaim threshold allows.
        Assert.True(BufferPool.LentFloats <= 2 * BufferPool.MinReclaimFloats, $"{BufferPool.LentFloats} floats still lent after 300 dropped passes");
    }

    [Fact]
    public void Backward_StillRepaysTheLoansAtOnce()
    {
        var (model, loss, x, y) = Setup(5);
        long lentBefore = BufferPool.LentFloats;
        var l = loss.Forward(model.Forward(x), y);
        Assert.True(BufferPool.LentFloats > lentBefore);
        l.Backward();
        Assert.Equal(lentBefore, BufferPool.LentFloats);
        GC.KeepAlive(l);
    }

    [Fact]
    public void Reclaiming_LeavesALiveGraphsArraysAlone()
    {
        // A graph still held (its loss kept for a later Backward) must keep its arrays through a reclaim, while other
        // passes rent from the pool: its Backward then gives the same gradients as a fresh forward and backward.
        var (model, loss, x, y) = Setup(6);
        var kept = loss.Forward(model.Forward(x), y);
        long lent = BufferPool.LentFloats;
        GC.Collect(); GraphLoan.ReclaimDropped();
        Assert.Equal(lent, BufferPool.LentFloats);
        Drop(model, loss, x, y, 3);
        GC.Collect(); GraphLoan.ReclaimDropped();
        kept.Backward();
        var first = model.Parameters().Select(p => p.Grad!.ToArray()).ToList();
        model.ZeroGrad(setToNone: true);
        loss.Forward(model.Forward(x), y).Backward();
        var again = model.Parameters().Select(p => p.Grad!.ToArray()).ToList();
        for (int i = 0; i < first.Count; i++) Assert.Equal(again[i], first[i]);
    }

    static void Drop(Sequential model, CrossEntropyLoss loss, Tensor x, Tensor y, int passes)
    {
        for (int i = 0; i < passes; i++) loss.Forward(model.Forward(x), y);
    }
}
