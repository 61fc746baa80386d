using Sinapse.Layers;
using Sinapse.Tests.Support;

namespace Sinapse.Tests;

using static TestUtil;

/// <summary>
/// The convolution's fast paths against the plain ones: a batch split by sample against one whole-batch GEMM, ReLU
/// fused into Conv2d and Linear against the separate layer, the vector 2×2 max pooling against a direct loop.
/// </summary>
[Collection(nameof(ProcessWideCollection))]
public class ConvKernelTests
{
    static Tensor Random(Generator g, params int[] shape) => Tensor.Randn(shape, g);

    [Theory]
    [InlineData(1, 12, 9, 9, 3, 1, 0, 1, 1)]    // one channel, 9 taps for 12 filters: the weight gradient runs transposed
    [InlineData(1, 12, 12, 12, 3, 1, 0, 1, 1)]  // the same with 100 positions per sample (summed by sample)
    [InlineData(4, 8, 7, 10, 3, 2, 1, 1, 2)]    // stride, padding, groups
    [InlineData(3, 6, 11, 8, 3, 1, 2, 2, 3)]    // dilation, three groups, 88 positions
    public void Conv2d_BySampleAndWholeBatch_SameBits(int c, int o, int h, int w, int k, int stride, int padding, int dilation, int groups)
    {
        var g = new Generator(7);
        var x = Random(g, 6, c, h, w);
        var weight = Random(g, o, c / groups, k, k);
        var bias = Random(g, o);
        Tensor Op(Tensor xv, Tensor wv, Tensor bv) => Tensor.Conv2d(xv, wv, bv, stride, padding, dilation, groups);
        // With enough positions one thread splits 6 samples by sample; four threads run them as one GEMM (6 is neither a
        // multiple of 4 nor 4·4).
        int positions = Op(x, weight, bias).Shape[2] * Op(x, weight, bias).Shape[3];
        using (new ThreadCount(1)) Assert.Equal(Kernels.ConvBySample.SumsBySample(positions), Kernels.ConvBySample.Applies(6, positions));
        using (new ThreadCount(4)) Assert.False(Kernels.ConvBySample.Applies(6, positions));
        SameBits(Run(Op, x, weight, bias, 1), Run(Op, x, weight, bias, 4));
    }

    [Theory]
    [InlineData(8, 4, 4, 4, 4, 2, 1, 0, 1)]  // a DCGAN generator's upsampling step
    [InlineData(8, 4, 9, 9, 4, 2, 1, 0, 1)]  // the same from 81 positions (by sample)
    [InlineData(16, 1, 5, 6, 3, 1, 1, 0, 1)] // 9 taps for 16 inputs (an image-making last layer): the weight gradient runs transposed
    [InlineData(16, 1, 10, 10, 3, 1, 1, 0, 1)] // the same from 100 positions
    [InlineData(4, 6, 3, 5, 3, 2, 0, 1, 2)]  // output padding, groups
    public void ConvTranspose2d_BySampleAndWholeBatch_SameBits(int cin, int cout, int h, int w, int k, int stride, int padding, int outputPadding, int groups)
    {
        var g = new Generator(9);
        var x = Random(g, 6, cin, h, w);
        var weight = Random(g, cin, cout / groups, k, k);
        var bias = Random(g, cout);
        Tensor Op(Tensor xv, Tensor wv, Tensor bv) => Tensor.ConvTranspose2d(xv, wv, bv, stride, padding, outputPadding, groups);
        SameBits(Run(Op, x, weight, bias, 1), Run(Op, x, weight, bias, 4));
    }

    /// <summary>op's output and the gradients of Σ y·r (r a fixed random tensor) on the given number of threads.</summary>
    static (float[] Y, float[] Gx, float[] Gw, float[] Gb) Run(Func<Tensor, Tensor, Tensor, Tensor> op, Tensor x, Tensor weight, Tensor bias, int threads)
    {
        using var _ = new ThreadCount(threads);
        var (xv, wv, bv) = (x.Detach().RequireGrad(), weight.Detach().RequireGrad(), bias.Detach().RequireGrad());
        var y = op(xv, wv, bv);
        (y * Random(new Generator(13), y.Shape)).Sum().Backward();
        return (y.ToArray(), xv.Grad!.ToArray(), wv.Grad!.ToArray(), bv.Grad!.ToArray());
    }

    static void SameBits((float[] Y, float[] Gx, float[] Gw, float[] Gb) a, (float[] Y, float[] Gx, float[] Gw, float[] Gb) b)
    {
        Assert.Equal(a.Y, b.Y);
        Assert.Equal(a.Gx, b.Gx);
        Assert.Equal(a.Gw, b.Gw);
        Assert.Equal(a.Gb, b.Gb);
    }

    const ulong FewSeed = 30;

    [Fact]
    public void Conv2d_GradCheck_BothPaths()
    {
        var g = new Generator(3);
        using var _threads = new ThreadCount(2);
        var x = Random(g, 4, 4, 6, 5).RequireGrad();
        var w = (Random(g, 6, 2, 3, 3) * 0.5f).RequireGrad();
        var b = Random(g, 6).RequireGrad();
        Passes(GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], 2, 1, 1, 2), [x, w, b]));
        Passes(GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], (1, 1), (1, 1), (1, 1), 2, relu: true), [x, w, b], eps: 1e-3));
        // 81 and 64 positions per sample: split by sample, the weight gradient summed sample by sample (also transposed).
        Assert.True(Kernels.ConvBySample.Applies(4, 81) && Kernels.ConvBySample.Applies(4, 64));
        var wide = Random(g, 4, 4, 9, 9).RequireGrad();
        Passes(GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], 1, 1, 1, 2), [wide, w, b]));
        Passes(GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2]), [Random(g, 4, 1, 10, 10).RequireGrad(), (Random(g, 12, 1, 3, 3) * 0.5f).RequireGrad(), Random(g, 12).RequireGrad()]));
        // One input channel (the weight's gradient runs transposed). Finite differences across ReLU's kink are wrong, so
        // the data (seed chosen for it) keeps every pre-activation at least 0.01 from 0, ten times the step's reach.
        var gf = new Generator(FewSeed);
        var few = Random(gf, 4, 1, 5, 5).RequireGrad();
        var wFew = (Random(gf, 12, 1, 3, 3) * 0.5f).RequireGrad();
        var bFew = Random(gf, 12).RequireGrad();
        Assert.True(Tensor.Conv2d(few, wFew, bFew).Abs().Min().Item() > 0.01f);
        Passes(GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], (1, 1), (0, 0), (1, 1), 1, relu: true), [few, wFew, bFew], eps: 1e-3));
    }

    /// <summary>Every output and gradient of <paramref name="model"/>, which Sequential runs with its ReLUs fused.</summary>
    static List<float[]> OutputAndGrads(Module<Tensor, Tensor> model, Tensor x, Func<Tensor, Tensor> run)
    {
        foreach (var p in model.Parameters()) p.Grad = null;
        var xv = x.Detach().RequireGrad();
        var y = run(xv);
        (y * y).Sum().Backward();
        return [y.ToArray(), xv.Grad!.ToArray(), .. model.Parameters().Select(p => p.Grad!.ToArray())];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    public void FusedRelu_SameBitsAsTheSeparateLayer(int batch)
    {
        var g = new Generator(11);
        var conv = new Conv2d(2, 4, 3, padding: 1, gen: g);
        var linear = new Linear(4 * 5 * 5, 7, gen: g);
        var model = new Sequential(conv, new ReLU(), new Flatten(), linear, new ReLU());
        var x = Random(g, batch, 2, 5, 5);
        var fused = OutputAndGrads(model, x, model.Call);
        var separate = OutputAndGrads(model, x, t => linear.Call(new Flatten().Call(conv.Call(t).Relu())).Relu());
        Assert.Equal(separate.Count, fused.Count);
        for (int i = 0; i < fused.Count; i++) Assert.Equal(separate[i], fused[i]);
        Assert.Contains(fused[0], v => v == 0f); // some outputs were clamped
    }

    /// <summary>2×2 max pooling by its definition: the first maximum in row-major order; a NaN wins.</summary>
    static (float[] Y, int[] At) DirectMaxPool2(float[] x, int planes, int h, int w)
    {
        int oh = h / 2, ow = w / 2;
        var (y, at) = (new float[planes * oh * ow], new int[planes * oh * ow]);
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                {
                    float best = float.NegativeInfinity; int where = -1;
                    foreach (var (i, j) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
                    {
                        int idx = p * h * w + (2 * r + i) * w + 2 * q + j;
                        if (where < 0 || x[idx] > best || (float.IsNaN(x[idx]) && !float.IsNaN(best))) { best = x[idx]; where = idx; }
                    }
                    y[(p * oh + r) * ow + q] = best; at[(p * oh + r) * ow + q] = where;
                }
        return (y, at);
    }

    [Theory]
    [InlineData(26, 26)] // eight lanes and a tail per row
    [InlineData(11, 11)] // odd: the last row and column are dropped
    [InlineData(4, 34)]  // two full vectors per row and a tail
    [InlineData(5, 16)]  // exactly one vector per row
    public void MaxPool2_MatchesTheDefinition_WithTiesAndNaN(int h, int w)
    {
        var g = new Generator(5);
        int planes = 3;
        // Values from a small set, so windows hold ties; ReLU-like zeros; a NaN and an infinity here and there.
        var x = Enumerable.Range(0, planes * h * w).Select(_ => (float)Math.Max(0, g.NextInt(7) - 3)).ToArray();
        x[w + 3] = float.NaN; x[h * w + 2 * w + 1] = float.PositiveInfinity; x[2 * h * w + 1] = float.NegativeInfinity;
        var xt = Tensor.FromArray(x, 1, planes, h, w).RequireGrad();
        var y = xt.MaxPool2d(2);
        var (expected, at) = DirectMaxPool2(x, planes, h, w);
        Assert.Equal(expected, y.ToArray());
        var gy = Enumerable.Range(1, expected.Length).Select(i => (float)i).ToArray();
        (y * Tensor.FromArray(gy, y.Shape)).Sum().Backward();
        var gx = new float[x.Length];
        for (int k = 0; k < at.Length; k++) gx[at[k]] += gy[k];
        Assert.Equal(gx, xt.Grad!.ToArray());
    }
}
