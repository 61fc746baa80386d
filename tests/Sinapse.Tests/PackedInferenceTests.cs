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
}
