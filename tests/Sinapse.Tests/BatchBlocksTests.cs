using Sinapse.Tests.Support;
using Sinapse.Layers;

namespace Sinapse.Tests;

/// <summary><see cref="Settings.BatchBlocks"/>: gradients summed over a batch block by block, as data-parallel processes sum them.</summary>
[Collection(nameof(ProcessWideCollection))]
public class BatchBlocksTests
{
    sealed class Blocks : IDisposable
    {
        readonly int previous = Settings.BatchBlocks;
        public Blocks(int n) => Settings.BatchBlocks = n;
        public void Dispose() => Settings.BatchBlocks = previous;
    }

    /// <summary>Weight and bias gradients of Linear(+ReLU) over rows [first, end) of (x, r), loss Σ y·r.</summary>
    static (float[] W, float[] B) Grads(Tensor x, Tensor r, Linear layer, bool relu, int first, int end)
    {
        layer.ZeroGrad();
        var xs = x.Slice(0, first, end);
        var y = Tensor.Linear(xs, layer.Weight, layer.Bias, relu); // relu: the fused op
        (y * r.Slice(0, first, end)).Sum().Backward();
        return (layer.Weight.Grad!.ToArray(), layer.Bias!.Grad!.ToArray());
    }

    [Theory]
    [InlineData(37, 2, false)]
    [InlineData(64, 2, true)]
    [InlineData(300, 3, false)] // blocks above the GEMM's k-block of 256 rows stay whole
    [InlineData(9, 4, true)]
    public void LinearGradients_AreTheBlocksSumsAddedInOrder(int rows, int blocks, bool relu)
    {
        var g = new Generator(7);
        var x = Tensor.Randn([rows, 40], g);
        var r = Tensor.Randn([rows, 24], g);
        var layer = new Linear(40, 24, gen: g);
        var onePass = Grads(x, r, layer, relu, 0, rows);
        (float[] W, float[] B) blocked;
        using (new Blocks(blocks)) blocked = Grads(x, r, layer, relu, 0, rows);

        // the same additions by hand: each block's gradients alone, then added in block order
        float[]? w = null, b = null;
        for (int k = 0; k < blocks; k++)
        {
            var (bw, bb) = Grads(x, r, layer, relu, k * rows / blocks, (k + 1) * rows / blocks);
            if (w == null) (w, b) = (bw, bb);
            else for (int i = 0; i < w.Length; i++) w[i] += bw[i];
            if (k > 0) for (int i = 0; i < b!.Length; i++) b[i] += bb[i];
        }
        Assert.Equal(w, blocked.W);
        Assert.Equal(b, blocked.B);
        for (int i = 0; i < w!.Length; i++) Assert.Equal(onePass.W[i], blocked.W[i], 1e-4f);
        for (int i = 0; i < b!.Length; i++) Assert.Equal(onePass.B[i], blocked.B[i], 1e-4f);
    }

    [Fact]
    public void ThreeDimensionalInputs_AreCutBetweenSamples()
    {
        var g = new Generator(3);
        var x = Tensor.Randn([5, 3, 8], g); // 5 samples of 3 rows each
        var r = Tensor.Randn([5, 3, 4], g);
        var layer = new Linear(8, 4, gen: g);
        (float[] W, float[] B) blocked;
        using (new Blocks(2)) blocked = Grads(x, r, layer, false, 0, 5);
        var (w0, b0) = Grads(x, r, layer, false, 0, 2); // samples [0, 2) and [2, 5)
        var (w1, b1) = Grads(x, r, layer, false, 2, 5);
        Assert.Equal(w0.Zip(w1, (p, q) => p + q), blocked.W);
        Assert.Equal(b0.Zip(b1, (p, q) => p + q), blocked.B);
    }

    [Fact]
    public void FewerSamplesThanBlocks_SumInOnePass()
    {
        var g = new Generator(5);
        var x = Tensor.Randn([1, 6], g);
        var r = Tensor.Randn([1, 3], g);
        var layer = new Linear(6, 3, gen: g);
        var onePass = Grads(x, r, layer, false, 0, 1);
        using (new Blocks(2)) Assert.Equal(onePass.W, Grads(x, r, layer, false, 0, 1).W);
    }

    [Fact]
    public void GradCheck_HoldsWithBlocks()
    {
        var g = new Generator(11);
        var x = Tensor.Randn([6, 5], g).RequireGrad();
        var w = Tensor.Randn([4, 5], g).RequireGrad();
        var b = Tensor.Randn([4], g).RequireGrad();
        using (new Blocks(3))
        {
            var result = GradCheck.Check(t => Tensor.Linear(t[0], t[1], t[2]), [x, w, b]);
            Assert.True(result.Passed, result.Worst);
        }
    }
}
