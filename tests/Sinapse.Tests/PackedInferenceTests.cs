using Sinapse.IO;
using Sinapse.Kernels;
using Sinapse.Layers;
using Sinapse.Optimizers;

namespace Sinapse.Tests;

/// <summary>
/// Single-sample inference through a Linear layer's packed weight copy: the same values as the sample in a batch,
/// and never a stale copy after the weights change.
/// </summary>
public class PackedInferenceTests
{
    // Both layers are large enough to be packed. 300 outputs: not a multiple of the 64-row blocks; 700 inputs: three
    // k blocks of the GEMM, not a multiple of 8. (A small layer keeps the dot products, whose sums are ordered
    // differently from a batch's.)
    const int Out = 260;
    static Sequential Model(ulong seed, bool bias = true) =>
        new(new Linear(700, 300, bias, gen: new Generator(seed)), new ReLU(), new Linear(300, Out, bias, gen: new Generator(seed + 1)));

    static float[] Single(Module m, Tensor rowInput)
    {
        using (Autograd.NoGrad()) return m.Forward(rowInput).ToArray();
    }

    static float[] BatchRow(Module m, Tensor batch, int row)
    {
        using (Autograd.NoGrad()) return m.Forward(batch).ToArray().AsSpan(row * Out, Out).ToArray();
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    public void SingleSample_EqualsItsRowInABatch_BitForBit(bool bias, int threads)
    {
        try
        {
            Threading.Threads = threads;
            var m = Model(3, bias);
            Assert.True(PackedWeights.Applies(((Linear)m[0]).Weight)); // the test exercises the packed path
            var batch = Tensor.Randn([5, 700], new Generator(9));
            for (int r = 0; r < 5; r++)
            {
                var row = Tensor.FromArray(batch.ToArray().AsSpan(r * 700, 700).ToArray(), 1, 700);
                Assert.Equal(BatchRow(m, batch, r), Single(m, row));
            }
        }
        finally { Threading.Threads = Environment.ProcessorCount; }
    }

    [Fact]
    public void SingleSample_IsTheSameOnEveryCall_AndCloseToTheDotProducts()
    {
        var m = Model(4);
        var x = Tensor.Randn([1, 700], new Generator(5));
        var first = Single(m, x);
        Assert.Equal(first, Single(m, x));
        Assert.Equal(first, Single(m, x.Reshape(700))); // a 1-D sample
        float[] plain;
        PackedWeights.Enabled = false;
        try { plain = Single(m, x); }
        finally { PackedWeights.Enabled = true; }
        TestUtil.Close(plain, first, 1e-5f);
        // With a graph recorded the ordinary product runs (no copy is made for training).
        Assert.Equal(plain, m.Forward(x).ToArray());
    }

    [Fact]
    public void PackedCopy_FollowsEveryWayOfChangingTheWeights()
    {
        var m = Model(6);
        var lin = (Linear)m[0];
        var x = Tensor.Randn([1, 700], new Generator(7));
        var batch = Tensor.Randn([2, 700], new Generator(8));
        using (Autograd.NoGrad()) batch.Slice(0, 0, 1).CopyFrom(x);
        void Check() => Assert.Equal(BatchRow(m, batch, 0), Single(m, x));

        Check();
        var before = Single(m, x);
        lin.Weight[3, 5] = 2.5f;                      // the indexer
        Check();
        Assert.NotEqual(before, Single(m, x));

        using (Autograd.NoGrad()) lin.Weight.CopyFrom(Tensor.Randn([300, 700], new Generator(10)) * 0.05f); // CopyFrom (Load and Init use it)
        Check();

        var opt = new SGD(m.Parameters(), lr: 0.1f);  // an optimizer step
        var y = m.Forward(batch);
        y.Sum().Backward();
        before = Single(m, x);
        opt.Step();
        Check();
        Assert.NotEqual(before, Single(m, x));

        var path = Path.Combine(Path.GetTempPath(), $"sinapse-packed-{Guid.NewGuid():N}.safetensors");
        try
        {
            Model(11).Save(path);                     // loading a saved model
            before = Single(m, x);
            m.Load(path);
            Check();
            Assert.Equal(Single(Model(11), x), Single(m, x));
        }
        finally { File.Delete(path); }
    }

    static float[] LayerByLayer(Sequential m, Tensor x)
    {
        Sequential.ChainEnabled = false;
        try { return Single(m, x); }
        finally { Sequential.ChainEnabled = true; }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void MlpChain_GivesTheLayerByLayerValues_BitForBit(int threads)
    {
        try
        {
            Threading.Threads = threads;
            // W5's model (two packed layers and a small one, which two threads split by its inputs), a packed layer then
            // a bias-less small one with a ReLU (split too; 300 inputs: a scalar tail in the second half), a model with
            // a ReLU-less middle, and one of small layers only.
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
                var x = Tensor.Randn([1, ((Linear)m[0]).InFeatures], new Generator(13));
                var expected = LayerByLayer(m, x);
                Assert.Equal(expected, Single(m, x));
                Assert.Equal(expected, Single(m, x));               // the cached chain state
                Assert.Equal(expected, Single(m, x.Reshape(-1)));   // a 1-D sample: output 1-D too
                using (Autograd.NoGrad()) Assert.Equal([expected.Length], m.Forward(x.Reshape(-1)).Shape);
            }
        }
        finally { Threading.Threads = Environment.ProcessorCount; }
    }

    [Fact]
    public void MlpChain_StepsAsideForGraphsOtherLayersAndBadWidths()
    {
        var g = new Generator(14);
        var m = new Sequential(new Linear(700, 300, gen: g), new ReLU(), new Linear(300, 20, gen: g));
        var x = Tensor.Randn([1, 700], new Generator(15));
        var y = m.Forward(x);                                     // grad mode: a graph is recorded
        Assert.NotNull(y.GradFnName);
        y.Sum().Backward();
        Assert.NotNull(((Linear)m[0]).Weight.Grad);
        var opt = new SGD(m.Parameters(), lr: 0.5f);
        var before = Single(m, x);
        opt.Step();                                               // the chain sees the new weights
        Assert.NotEqual(before, Single(m, x));
        Assert.Equal(LayerByLayer(m, x), Single(m, x));

        var withTanh = new Sequential(new Linear(700, 300, gen: g), new Tanh(), new Linear(300, 20, gen: g));
        Assert.Equal(LayerByLayer(withTanh, x), Single(withTanh, x));

        var bad = new Sequential(new Linear(700, 300, gen: g), new Linear(299, 20, gen: g));
        var e = Assert.Throws<ArgumentException>(() => Single(bad, x));
        Assert.Contains("Linear", e.Message);
        Assert.Throws<ArgumentException>(() => Single(m, Tensor.Randn([1, 699], g)));

        m.Add(new Linear(20, 5, gen: g));                         // a layer added later joins the chain
        Assert.Equal(5, Single(m, x).Length);
        Assert.Equal(LayerByLayer(m, x), Single(m, x));
    }

    [Fact]
    public void BatchInference_ReadsTheWeightPackedOnce_WithTheSameValues_AndFollowsChanges()
    {
        var m = Model(16);
        var batch = Tensor.Randn([37, 700], new Generator(17));
        float[] Batch() { using (Autograd.NoGrad()) return m.Forward(batch).ToArray(); }
        float[] Unpacked()
        {
            PackedWeights.Enabled = false;
            try { return Batch(); }
            finally { PackedWeights.Enabled = true; }
        }
        Assert.Equal(Unpacked(), Batch());
        Assert.Equal(Unpacked(), Batch());                        // the cached copy
        Assert.Equal(m.Forward(batch).ToArray(), Batch());          // and the graph-recording forward
        var before = Batch();
        using (Autograd.NoGrad()) ((Linear)m[0]).Weight.CopyFrom(Tensor.Randn([300, 700], new Generator(18)) * 0.05f);
        Assert.NotEqual(before, Batch());
        Assert.Equal(Unpacked(), Batch());
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
