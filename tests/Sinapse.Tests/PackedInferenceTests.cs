using Sinapse.IO;
using Sinapse.Kernels;
using Sinapse.Layers;
using Sinapse.Optimizers;
using Sinapse.Tests.Support;

namespace Sinapse.Tests;

/// <summary>
/// Single-sample inference through a Linear layer's packed weight copy: the same values as the sample in a batch,
/// and never a stale copy after the weights change.
/// </summary>
[Collection(nameof(ProcessWideCollection))]
public class PackedInferenceTests
{
    // Both layers are large enough to be packed. 300 outputs: not a multiple of the 64-row blocks; 700 inputs: three
    // k blocks of the GEMM, not a multiple of 8. (A small layer keeps the dot products, whose sums are ordered
    // differently from a batch's.)
    const int Out = 260;
    static Sequential Model(ulong seed, bool bias = true) =>
        new(new Linear(700, 300, bias, gen: new Generator(seed)), new ReLU(), new Linear(300, Out, bias, gen: new Generator(seed + 1)));

    /// <summary>The output for one input, in evaluation mode without a graph.</summary>
    static float[] Single(Module<Tensor, Tensor> m, Tensor input)
    {
        using (Autograd.NoGrad()) return m.Call(input).ToArray();
    }

    static float[] BatchRow(Module<Tensor, Tensor> m, Tensor batch, int row) => Single(m, batch).AsSpan(row * Out, Out).ToArray();

    /// <summary>The prepared model's steps one after another: its path without the single-sample chain.</summary>
    static float[] LayerByLayer(PreparedModel p, Tensor x)
    {
        using (Autograd.NoGrad())
        {
            var h = x;
            foreach (var s in p.Steps) h = s.Call(h);
            return h.ToArray();
        }
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    public void SingleSample_EqualsItsRowInABatch_BitForBit(bool bias, int threads)
    {
        using var _ = new ThreadCount(threads);
        var m = Model(3, bias);
        var p = Inference.Prepare(m);
        Assert.True(PackedWeights.Applies(((Linear)m[0]).Weight)); // the test exercises the packed path
        var batch = Tensor.Randn([5, 700], new Generator(9));
        Assert.Equal(Single(m, batch), Single(p, batch));           // a batch: the prepared model equals the plain one
        for (int r = 0; r < 5; r++)
        {
            var row = Tensor.FromArray(batch.ToArray().AsSpan(r * 700, 700).ToArray(), 1, 700);
            Assert.Equal(BatchRow(m, batch, r), Single(p, row));     // a single sample: its row of the batch
        }
    }

    [Fact]
    public void SingleSample_IsTheSameOnEveryCall_AndCloseToTheDotProducts()
    {
        var m = Model(4);
        var p = Inference.Prepare(m);
        var x = Tensor.Randn([1, 700], new Generator(5));
        var first = Single(p, x);
        Assert.Equal(first, Single(p, x));
        Assert.Equal(first, Single(p, x.Reshape(700))); // a 1-D sample
        TestUtil.Close(Single(m, x), first, 1e-5f);
        // The prepared model records no graph, even in gradient mode.
        Assert.Null(p.Call(x).GradFnName);
    }

    [Fact]
    public void PackedCopy_FollowsEveryWayOfChangingTheWeights()
    {
        var m = Model(6);
        var p = Inference.Prepare(m);
        var lin = (Linear)m[0];
        var x = Tensor.Randn([1, 700], new Generator(7));
        var batch = Tensor.Randn([2, 700], new Generator(8));
        using (Autograd.NoGrad()) batch.Slice(0, 0, 1).CopyFrom(x);
        // The prepared model agrees with the plain one and with a model prepared afresh (no stale packed copy).
        void Check()
        {
            Assert.Equal(BatchRow(m, batch, 0), Single(p, x));
            Assert.Equal(Single(m, batch), Single(p, batch));
            Assert.Equal(Single(Inference.Prepare(m), x), Single(p, x));
        }

        Check();
        var before = Single(p, x);
        int version = lin.Weight.Version;
        lin.Weight[3, 5] = 2.5f;                      // the indexer
        Assert.NotEqual(version, lin.Weight.Version);
        Check();
        Assert.NotEqual(before, Single(p, x));

        using (Autograd.NoGrad()) lin.Weight.Slice(0, 0, 10).CopyFrom(Tensor.Zeros(10, 700)); // a write through a view
        Check();

        using (Autograd.NoGrad()) lin.Weight.CopyFrom(Tensor.Randn([300, 700], new Generator(10)) * 0.05f); // CopyFrom
        Check();

        var opt = new SGD(m.Parameters(), lr: 0.1f);  // an optimizer step
        m.Train();
        m.Call(batch).Sum().Backward();
        before = Single(p, x);
        opt.Step();
        Check();
        Assert.NotEqual(before, Single(p, x));

        var path = Path.Combine(Path.GetTempPath(), $"sinapse-packed-{Guid.NewGuid():N}.safetensors");
        try
        {
            Model(11).Save(path);                     // loading a saved model
            m.Load(path);
            Check();
            Assert.Equal(Single(Inference.Prepare(Model(11)), x), Single(p, x));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void WritingOneTensor_LeavesOtherTensorsVersionsAlone()
    {
        var m = Model(20);
        var w0 = ((Linear)m[0]).Weight; var w2 = ((Linear)m[2]).Weight;
        int v0 = w0.Version, v2 = w2.Version;
        using (Autograd.NoGrad()) w2.CopyFrom(w2 * 0.5f);
        Assert.Equal(v0, w0.Version);
        Assert.Equal(v2 + 1, w2.Version);
        var view = w2.Slice(0, 0, 3);
        view[0, 0] = 1f;                              // views share the version of their storage
        Assert.Equal(v2 + 2, w2.Version);
        Assert.Equal(w2.Version, view.Version);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void MlpChain_GivesTheLayerByLayerValues_BitForBit(int threads)
    {
        using var _ = new ThreadCount(threads);
        // W5's model (two packed layers and a small one, which two threads split by its inputs), a packed layer then
        // a bias-less small one with a ReLU (split too; 300 inputs: a scalar tail in the second half), a model with
        // a ReLU-less middle, one of small layers only, and one that starts with Flatten.
        var g = new Generator(12);
        Sequential[] models =
        [
            new(new Linear(784, 512, gen: g), new ReLU(), new Linear(512, 256, gen: g), new ReLU(), new Linear(256, 10, gen: g)),
            new(new Linear(700, 300, gen: g), new ReLU(), new Linear(300, 7, bias: false, gen: g), new ReLU()),
            new(new Linear(300, 260, gen: g), new Linear(260, 130, bias: false, gen: g), new ReLU(), new Linear(130, 3, gen: g), new ReLU()),
            new(new Linear(4, 16, gen: g), new ReLU(), new Linear(16, 2, gen: g)),
        ];
        foreach (var m in models)
        {
            var p = Inference.Prepare(m);
            Assert.Contains("single_sample_chain=True", p.ToString());
            var x = Tensor.Randn([1, ((Linear)m[0]).InFeatures], new Generator(13));
            var expected = LayerByLayer(p, x);
            Assert.Equal(expected, Single(p, x));
            Assert.Equal(expected, Single(p, x));               // the cached chain state
            Assert.Equal(expected, Single(p, x.Reshape(-1)));   // a 1-D sample: output 1-D too
            Assert.Equal([expected.Length], p.Call(x.Reshape(-1)).Shape);
            TestUtil.Close(Single(m, x), expected, 1e-5f);
        }
        var flat = new Sequential(new Flatten(), new Sequential(new Linear(784, 512, gen: g), new ReLU()), new Linear(512, 10, gen: g));
        var pf = Inference.Prepare(flat);
        Assert.Contains("single_sample_chain=True", pf.ToString());
        var img = Tensor.Randn([1, 1, 28, 28], g);
        Assert.Equal(LayerByLayer(pf, img), Single(pf, img));
        TestUtil.Close(Single(flat, img), Single(pf, img), 1e-5f);
    }

    [Fact]
    public void MlpChain_StepsAsideForOtherLayersAndBadWidths()
    {
        var g = new Generator(14);
        var m = new Sequential(new Linear(700, 300, gen: g), new ReLU(), new Linear(300, 20, gen: g));
        var p = Inference.Prepare(m);
        var x = Tensor.Randn([1, 700], new Generator(15));
        m.Train();
        var y = m.Call(x);                                        // the plain model records a graph
        Assert.NotNull(y.GradFnName);
        y.Sum().Backward();
        var opt = new SGD(m.Parameters(), lr: 0.5f);
        var before = Single(p, x);
        opt.Step();                                               // the chain sees the new weights
        Assert.NotEqual(before, Single(p, x));
        Assert.Equal(LayerByLayer(p, x), Single(p, x));

        var withTanh = new Sequential(new Linear(700, 300, gen: g), new Tanh(), new Linear(300, 20, gen: g));
        var pt = Inference.Prepare(withTanh);
        Assert.Contains("single_sample_chain=False", pt.ToString());
        Assert.Equal(Single(withTanh, x), Single(pt, x));

        var bad = Inference.Prepare(new Sequential(new Linear(700, 300, gen: g), new Linear(299, 20, gen: g)));
        var e = Assert.Throws<ArgumentException>(() => Single(bad, x));
        Assert.Contains("Linear", e.Message);
        Assert.Throws<ArgumentException>(() => Single(p, Tensor.Randn([1, 699], g)));

        m.Add(new Linear(20, 5, gen: g));                         // a layer added later: prepare again
        var p2 = Inference.Prepare(m);
        Assert.Equal(5, Single(p2, x).Length);
        Assert.Equal(LayerByLayer(p2, x), Single(p2, x));
    }

    [Theory]
    [InlineData(5, 3100, 70)]    // two column blocks of the GEMM
    [InlineData(7, 17, 600)]     // a padded panel, three k blocks
    [InlineData(40, 64, 256)]
    public void PrepackedB_GivesTheSameProduct(int m, int n, int k)
    {
        var g = new Generator(19);
        var a = Tensor.Randn([m, k], g);
        var w = Tensor.Randn([n, k], g);                        // read as Wᵀ, as Linear does
        var bOp = Gemm.WeightAsB(w);
        var aOp = new Gemm.Operand(a.data, 0, k, 1);
        var plain = new float[m * n];
        var packed = new float[m * n];
        Gemm.Multiply(m, n, k, aOp, bOp, plain, 0, n, accumulate: false, relu: true);
        Gemm.Multiply(m, n, k, aOp, bOp, packed, 0, n, accumulate: false, relu: true, prepackedB: Gemm.PrepackB(bOp, k, n, null));
        Assert.Equal(plain, packed);
    }
}
