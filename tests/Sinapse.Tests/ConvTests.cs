using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Tests;

using static TestUtil;

/// <summary>Convolution, pooling, upsampling and batch norm: values against direct loops, gradients against finite differences.</summary>
public class ConvTests
{
    /// <summary>The textbook definition, one multiply-add at a time.</summary>
    static float[] DirectConv(Tensor x, Tensor w, Tensor? b, int s, int p, int d, int groups)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3], o = w.Shape[0], k = w.Shape[2], kw = w.Shape[3];
        int oh = (h + 2 * p - d * (k - 1) - 1) / s + 1, ow = (wd + 2 * p - d * (kw - 1) - 1) / s + 1, cg = c / groups, og = o / groups;
        var xv = x.ToArray(); var wv = w.ToArray(); var bv = b?.ToArray();
        var y = new float[n * o * oh * ow];
        for (int i = 0; i < n; i++)
            for (int oc = 0; oc < o; oc++)
                for (int yy = 0; yy < oh; yy++)
                    for (int xx = 0; xx < ow; xx++)
                    {
                        double sum = bv?[oc] ?? 0;
                        int grp = oc / og;
                        for (int ic = 0; ic < cg; ic++)
                            for (int a = 0; a < k; a++)
                                for (int bb = 0; bb < kw; bb++)
                                {
                                    int iy = yy * s - p + a * d, ix = xx * s - p + bb * d;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    sum += xv[((i * c + grp * cg + ic) * h + iy) * wd + ix] * wv[((oc * cg + ic) * k + a) * kw + bb];
                                }
                        y[((i * o + oc) * oh + yy) * ow + xx] = (float)sum;
                    }
        return y;
    }

    // (N, C, H, W, O, k, stride, padding, dilation, groups)
    public static TheoryData<int, int, int, int, int, int, int, int, int, int> Configs => new()
    {
        { 2, 3, 7, 6, 4, 3, 1, 0, 1, 1 },
        { 2, 3, 7, 6, 4, 3, 2, 1, 1, 1 },   // stride 2, padding 1
        { 1, 2, 9, 8, 2, 3, 1, 2, 2, 1 },   // dilation 2, batch 1
        { 2, 4, 5, 5, 6, 3, 1, 1, 1, 2 },   // groups 2
        { 2, 4, 5, 7, 4, 1, 1, 0, 1, 4 },   // depthwise 1×1
        { 1, 1, 5, 5, 3, 5, 3, 2, 1, 1 },   // kernel as large as the input, stride 3
        { 2, 1, 6, 6, 16, 3, 1, 1, 1, 1 },  // fewer taps than filters: the weight gradient runs transposed
        { 2, 2, 5, 5, 8, 1, 1, 0, 1, 2 },   // the same, per group
        { 2, 3, 14, 13, 4, 4, 2, 1, 1, 1 }, // the DCGAN discriminator's 4×4 stride-2 window over 14-wide rows
        { 2, 2, 19, 20, 3, 3, 2, 2, 1, 1 }, // stride 2 with padding 2 and odd sizes
    };

    [Theory, MemberData(nameof(Configs))]
    public void Conv2d_EqualsTheDirectSum_AndItsGradientsPass(int n, int c, int h, int w, int o, int k, int s, int p, int d, int g)
    {
        var x = Param([n, c, h, w], 1);
        var wt = Param([o, c / g, k, k], 2, -0.5f, 0.5f);
        var b = Param([o], 3);
        var y = Tensor.Conv2d(x, wt, b, s, p, d, g);
        Close(DirectConv(x, wt, b, s, p, d, g), y.ToArray(), 1e-5f);
        Passes(GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], t[2], s, p, d, g), [x, wt, b]));
        Passes(GradCheck.Check(t => Tensor.Conv2d(t[0], t[1], null, s, p, d, g), [x, wt]));
    }

    [Fact]
    public void Conv2d_ResultsDoNotDependOnTheThreadCount()
    {
        var x = Param([3, 4, 12, 12], 1); var wt = Param([8, 4, 3, 3], 2); var b = Param([8], 3);
        float[] Run(int threads)
        {
            int was = Settings.Threads;
            try { Settings.Threads = threads; return Tensor.Conv2d(x.Detach(), wt.Detach(), b.Detach(), 1, 1).ToArray(); }
            finally { Settings.Threads = was; }
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Theory]
    [InlineData(2, 4, 3, 4, 3, 2, 1, 0, 1)]
    [InlineData(1, 2, 4, 3, 3, 1, 0, 0, 1)]
    [InlineData(2, 4, 3, 3, 4, 2, 1, 1, 2)]  // output padding 1, groups 2
    public void ConvTranspose2d_IsTheAdjointOfConv2d_AndItsGradientsPass(int n, int cin, int h, int w, int k, int s, int p, int op, int g)
    {
        // ⟨conv(y), x⟩ = ⟨y, convᵀ(x)⟩ with the same weight: conv maps (cout → cin), its transpose (cin → cout).
        int cout = 2 * g;
        var x = Param([n, cin, h, w], 4);
        var wt = Param([cin, cout / g, k, k], 5, -0.5f, 0.5f);
        var yT = Tensor.ConvTranspose2d(x, wt, null, s, p, op, g);
        int oh = (h - 1) * s - 2 * p + (k - 1) + op + 1;
        Assert.Equal([n, cout, oh, (w - 1) * s - 2 * p + (k - 1) + op + 1], yT.Shape);
        var y = Param(yT.Shape, 6);
        var conv = Tensor.Conv2d(y, wt, null, s, p, 1, g);
        Assert.Equal(x.Shape, conv.Shape);
        Assert.Equal((double)(conv * x).Sum().Item(), (double)(yT * y).Sum().Item(), 4);
        var b = Param([cout], 7);
        Passes(GradCheck.Check(t => Tensor.ConvTranspose2d(t[0], t[1], t[2], s, p, op, g), [x, wt, b]));
    }

    [Fact]
    public void Conv1d_IsAConv2dOfHeightOne()
    {
        var x = Param([2, 3, 9], 1); var wt = Param([4, 3, 3], 2); var b = Param([4], 3);
        var y = Tensor.Conv1d(x, wt, b, stride: 2, padding: 1);
        Assert.Equal([2, 4, 5], y.Shape);
        Close(Tensor.Conv2d(x.Unsqueeze(2), wt.Unsqueeze(2), b, (1, 2), (0, 1), (1, 1)).Squeeze(2), y);
        Passes(GradCheck.Check(t => Tensor.Conv1d(t[0], t[1], t[2], 2, 1), [x, wt, b]));
    }

    [Fact]
    public void Conv_ShapeErrors_NameTheLayerTheShapesAndWhy()
    {
        var conv = new Conv2d(1, 32, 3);
        var e = Assert.Throws<ArgumentException>(() => conv.Call(Tensor.Zeros(1, 1, 1, 28)));
        Assert.Contains("Conv2d(1→32, k3×3): input 1×28 is smaller than the kernel's reach 3×3", e.Message);
        Assert.Contains("(N, 1, H, W)", Assert.Throws<ArgumentException>(() => conv.Call(Tensor.Zeros(2, 3, 8, 8))).Message);
        Assert.Contains("divide into 3 groups", Assert.Throws<ArgumentException>(() => new Conv2d(4, 6, 3, groups: 3)).Message);
        Assert.Contains("'same' padding needs stride 1", Assert.Throws<ArgumentException>(() => new Conv2d(1, 2, 3, stride: 2, padding: Conv2d.Same)).Message);
        Assert.Contains("smaller than the kernel", Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 1, 3, 3).MaxPool2d(4)).Message);
    }

    [Fact]
    public void Conv2d_SamePadding_KeepsTheSize()
    {
        var y = new Conv2d(3, 5, 5, padding: Conv2d.Same, dilation: 2).Call(Tensor.Zeros(2, 3, 11, 9));
        Assert.Equal([2, 5, 11, 9], y.Shape);
    }

    [Fact]
    public void Pooling_Values_AndGradients()
    {
        var x = Tensor.Arange(32).Reshape(1, 2, 4, 4);
        Assert.Equal([5f, 7, 13, 15, 21, 23, 29, 31], x.MaxPool2d(2).ToArray());
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f, 18.5f, 20.5f, 26.5f, 28.5f], x.AvgPool2d(2).ToArray());
        Assert.Equal([7.5f, 23.5f], x.AdaptiveAvgPool2d(1, 1).ToArray());
        // Adaptive 4 → 3: windows rows {0,1}, {1,2}, {2,3}
        Assert.Equal((0 + 1 + 4 + 5) / 4f, x.AdaptiveAvgPool2d(3, 3).ToArray()[0]);
        // Padding: with count_include_pad the zeros count, without they do not.
        var ones = Tensor.Ones(1, 1, 2, 2);
        Assert.Equal(0.25f, ones.AvgPool2d(2, 2, 1).ToArray()[0]);
        Assert.Equal(1f, ones.AvgPool2d(2, 2, 1, countIncludePad: false).ToArray()[0]);
        Assert.Equal([0f, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3], Tensor.Arange(4).Reshape(1, 1, 2, 2).UpsampleNearest(2, 2).ToArray());

        // Distinct values so no window has a tie.
        var v = Tensor.FromArray(Enumerable.Range(0, 2 * 3 * 5 * 5).Select(i => (float)((i * 37) % 151) / 151f).ToArray(), 2, 3, 5, 5).RequireGrad();
        Passes(GradCheck.Check(t => t.MaxPool2d(2), v, eps: 1e-3));
        Passes(GradCheck.Check(t => t.MaxPool2d(3, 2, 1), v, eps: 1e-3));
        Passes(GradCheck.Check(t => t.AvgPool2d(3, 2, 1), v));
        Passes(GradCheck.Check(t => t.AvgPool2d(2, 1, 1, countIncludePad: false), v));
        Passes(GradCheck.Check(t => t.AdaptiveAvgPool2d(3, 2), v));
        Passes(GradCheck.Check(t => t.UpsampleNearest(2, 3), v));
    }

    [Fact]
    public void BatchNorm_NormalisesPerChannel_UpdatesRunningStats_AndEvalUsesThem()
    {
        var bn = new BatchNorm2d(3);
        var x = Tensor.Randn([4, 3, 5, 5], new Generator(1)) * 3f + 2f;
        var y = bn.Call(x);
        var mean = y.Mean([0, 2, 3]).ToArray();
        var var = (y * y).Mean([0, 2, 3]).ToArray();
        foreach (var m in mean) Assert.True(MathF.Abs(m) < 1e-5f);
        foreach (var s in var) Assert.True(MathF.Abs(s - 1) < 1e-3f);
        var xm = x.Mean([0, 2, 3]).ToArray();
        var xv = ((x - x.Mean([0, 2, 3], keepDim: true)).Pow(2f).Sum([0, 2, 3]) / 99f).ToArray(); // unbiased: M − 1 = 99
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(0.1f * xm[c], bn.RunningMean.ToArray()[c], 4);
            Assert.Equal(0.9f + 0.1f * xv[c], bn.RunningVar.ToArray()[c], 4);
        }
        Assert.Equal(1f, bn.NumBatchesTracked.Item());
        bn.Eval();
        var ye = bn.Call(x).ToArray();
        var expect = (x - bn.RunningMean.Reshape(1, 3, 1, 1)) / (bn.RunningVar.Reshape(1, 3, 1, 1) + 1e-5f).Sqrt();
        Close(expect.ToArray(), ye, 1e-5f);
        Assert.Equal(1f, bn.NumBatchesTracked.Item()); // evaluation leaves the statistics alone
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], bn.NamedBuffers().Select(b => b.Name));
    }

    [Fact]
    public void BatchNorm_Gradients_TrainingAndEvaluation()
    {
        var x = Param([3, 2, 2, 2], 1); var w = Param([2], 2, 0.5f, 1.5f); var b = Param([2], 3);
        Passes(GradCheck.Check(t => Tensor.BatchNorm(t[0], null, null, t[1], t[2], training: true), [x, w, b]));
        var x1 = Param([5, 3], 4); var w1 = Param([3], 5, 0.5f, 1.5f); var b1 = Param([3], 6);
        Passes(GradCheck.Check(t => Tensor.BatchNorm(t[0], null, null, t[1], t[2], training: true), [x1, w1, b1]));
        var rm = Tensor.FromArray([0.1f, -0.2f, 0.3f]); var rv = Tensor.FromArray([0.5f, 1.5f, 2f]);
        Passes(GradCheck.Check(t => Tensor.BatchNorm(t[0], rm, rv, t[1], t[2], training: false), [x1, w1, b1]));
        Assert.Contains("more than one value per channel", Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Call(Tensor.Zeros(1, 3))).Message);
    }

    [Fact]
    public void Dropout2d_DropsWholeChannels()
    {
        var d = new Dropout2d(0.5f, new Generator(3));
        var y = d.Call(Tensor.Ones(4, 8, 3, 3)).ToArray();
        for (int p = 0; p < 32; p++)
        {
            var plane = y.AsSpan(p * 9, 9).ToArray();
            Assert.True(plane.All(v => v == 0) || plane.All(v => v == 2), "a channel is either dropped or scaled whole");
        }
        Assert.Contains(0f, y); Assert.Contains(2f, y);
        d.Eval();
        Assert.All(d.Call(Tensor.Ones(2, 2, 2, 2)).ToArray(), v => Assert.Equal(1f, v));
    }

    static Sequential SmallCnn(Generator g) => new(
        new Conv2d(1, 4, 3, padding: 1, gen: g), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
        new Conv2d(4, 8, 3, gen: g), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(8, 2, gen: g));

    /// <summary>8×8 images of one bright bar, horizontal (class 0) or vertical (class 1), at a random place.</summary>
    static TensorDataset Bars(int count, ulong seed)
    {
        var rng = new Generator(seed);
        var x = new float[count * 64]; var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            int cls = (int)(rng.NextUInt() % 2), at = (int)(rng.NextUInt() % 8);
            for (int j = 0; j < 8; j++) x[i * 64 + (cls == 0 ? at * 8 + j : j * 8 + at)] = 1f;
            for (int j = 0; j < 64; j++) x[i * 64 + j] += 0.2f * (rng.NextFloat() - 0.5f);
            y[i] = cls;
        }
        return new TensorDataset(Tensor.FromArray(x, count, 1, 8, 8), Tensor.FromArray(y, count));
    }

    [Fact]
    public void SmallCnn_LearnsBarOrientation_AndRoundTripsThroughModelJsonAndSafetensors()
    {
        var model = SmallCnn(new Generator(1));
        var summary = model.Summary([1, 1, 8, 8]);
        Assert.Contains("(1, 4, 4, 4)", summary); Assert.Contains("(1, 8, 1, 1)", summary);
        var train = Bars(256, 2); var test = Bars(128, 3);
        Trainer.Fit(model, new Losses.CrossEntropyLoss(), new Adam(model.Parameters(), 0.01f), new DataLoader(train, 32, shuffle: true, seed: 4), epochs: 8);
        model.Eval();
        var acc = Trainer.Evaluate(model, new Losses.CrossEntropyLoss(), new DataLoader(test, 64)).Accuracy;
        Assert.True(acc >= 0.97f, $"test accuracy {acc}");

        var dir = Path.Combine(Path.GetTempPath(), "sinapse-conv", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        ModelSpec.Of(model, [1, 8, 8], 2).Save(Path.Combine(dir, "model.json"));
        model.Save(Path.Combine(dir, "model.safetensors"));
        var (again, _) = ModelSpec.LoadModel(Path.Combine(dir, "model.json"), Path.Combine(dir, "model.safetensors"));
        again.Eval();
        using (Autograd.NoGrad())
            Assert.Equal(model.Call(test.Inputs).ToArray(), again.Call(test.Inputs).ToArray());
    }
}
