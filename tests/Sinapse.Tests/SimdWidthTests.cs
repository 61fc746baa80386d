using Sinapse.Kernels;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

using Sinapse.Tests.Support;

namespace Sinapse.Tests;

/// <summary>
/// Every kernel path on this machine: the Vector512 one (in software where the hardware has no AVX-512), the Vector256
/// one, the Vector128 GEMM kernel (Arm64's path) and the scalar fallback. The vector paths must agree bit for bit where they sum in the same order, and each must
/// match a plain reference.
/// </summary>
[Collection(nameof(ProcessWideCollection))]
public class SimdWidthTests
{
    public static TheoryData<int> Widths => new() { 0, 128, 256, 512 };

    static T AtWidth<T>(int bits, Func<T> body)
    {
        int before = SimdWidth.Bits;
        SimdWidth.Bits = bits;
        try { return body(); }
        finally { SimdWidth.Bits = before; }
    }

    static float[] Reference(Tensor a, Tensor b)
    {
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        var av = a.ToArray(); var bv = b.ToArray(); var c = new float[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double s = 0; for (int p = 0; p < k; p++) s += av[i * k + p] * bv[p * n + j]; c[i * n + j] = (float)s; }
        return c;
    }

    // Around the blocking sizes at every panel width (NR 8, 16 and 32, MR 6, KC 256): edge tiles in both directions, three
    // k blocks, a single row (the matrix-vector path), a single column, and products large enough for the team.
    static readonly int[][] Shapes = [[1, 40, 70], [7, 1, 5], [13, 33, 19], [6, 32, 300], [31, 47, 530], [70, 70, 70], [97, 65, 61]];

    [Theory, MemberData(nameof(Widths))]
    public void MatMul_MatchesTheReference_AtEveryWidth(int bits)
    {
        var gen = new Generator(21);
        try
        {
            foreach (var threads in new[] { 1, 2 })
            {
                Settings.Threads = threads;
                foreach (var s in Shapes)
                {
                    int m = s[0], n = s[1], k = s[2];
                    var a = Tensor.Randn([m, k], gen); var b = Tensor.Randn([k, n], gen);
                    var expected = Reference(a, b);
                    var tol = 1e-3f * MathF.Sqrt(k);
                    TestUtil.Close(expected, AtWidth(bits, () => Tensor.MatMul(a, b).ToArray()), tol);
                    // Transposed operands, read through strides.
                    TestUtil.Close(expected, AtWidth(bits, () => Tensor.MatMul(a.T.Contiguous().T, b.T.Contiguous().T).ToArray()), tol);
                    // The fused Linear + ReLU epilogue: x·Wᵀ + b, clamped.
                    var w = b.T.Contiguous(); var bias = Tensor.Randn([n], gen);
                    var lin = AtWidth(bits, () => Tensor.Linear(a, w, bias, relu: true).ToArray());
                    var bv = bias.ToArray();
                    for (int i = 0; i < m * n; i++) expected[i] = MathF.Max(expected[i] + bv[i % n], 0f);
                    TestUtil.Close(expected, lin, tol);
                }
            }
        }
        finally { Settings.Threads = Environment.ProcessorCount; }
    }

    [Fact]
    public void MatMul_Vector512Vector256AndVector128_GiveTheSameBits()
    {
        // The micro-kernels add each product into its output in k order with one FMA per step, in the same k blocks.
        var gen = new Generator(22);
        try
        {
            foreach (var threads in new[] { 1, 2 })
            {
                Settings.Threads = threads;
                foreach (var s in Shapes)
                {
                    var a = Tensor.Randn([s[0], s[2]], gen); var b = Tensor.Randn([s[2], s[1]], gen);
                    var at256 = AtWidth(256, () => Tensor.MatMul(a, b).ToArray());
                    Assert.Equal(at256, AtWidth(512, () => Tensor.MatMul(a, b).ToArray()));
                    Assert.Equal(at256, AtWidth(128, () => Tensor.MatMul(a, b).ToArray()));
                }
            }
        }
        finally { Settings.Threads = Environment.ProcessorCount; }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void PackedSingleSample_EqualsItsRowInABatch_AtEachVectorWidth(int bits)
    {
        // A weight large enough for the packed copy (300 × 700: five 64-row blocks, the last partial; three k blocks).
        var model = new Sequential(new Linear(700, 300, gen: new Generator(3)), new ReLU(), new Linear(300, 260, gen: new Generator(4)));
        model.Eval();
        var batch = Tensor.Randn([3, 700], new Generator(9));
        try
        {
            foreach (var threads in new[] { 1, 2 })
            {
                Settings.Threads = threads;
                AtWidth(bits, () =>
                {
                    Assert.True(PackedWeights.Applies(((Linear)model[0]).Weight));
                    var prepared = Inference.Prepare(model);
                    using (Autograd.NoGrad())
                    {
                        var rows = model.Call(batch).ToArray();
                        for (int r = 0; r < 3; r++)
                        {
                            var x = Tensor.FromArray(batch.ToArray().AsSpan(r * 700, 700).ToArray(), 1, 700);
                            Assert.Equal(rows.AsSpan(r * 260, 260).ToArray(), prepared.Call(x).ToArray());
                            Assert.Equal(rows.AsSpan(r * 260, 260).ToArray(), model.Call(x).ToArray());
                        }
                    }
                    return 0;
                });
            }
        }
        finally { Settings.Threads = Environment.ProcessorCount; }
    }

    [Theory, MemberData(nameof(Widths))]
    public void ElementwiseOps_MatchScalarMath_AtEveryWidth(int bits)
    {
        // Lengths below, at and past one vector of each width, so bodies and tails are both covered.
        foreach (int n in new[] { 0, 1, 7, 8, 15, 16, 17, 33, 100 })
        {
            var xs = Tensor.Uniform([n], -3f, 3f, new Generator((ulong)n + 1));
            var ys = Tensor.Uniform([n], 0.5f, 2f, new Generator((ulong)n + 100));
            var (sum, quot, sig, exp, relu, scaled) = AtWidth(bits, () =>
                ((xs + ys).ToArray(), (xs / ys).ToArray(), xs.Sigmoid().ToArray(), xs.Exp().ToArray(), xs.Relu().ToArray(), (2f * xs).ToArray()));
            var x = xs.ToArray(); var y = ys.ToArray();
            TestUtil.Close(x.Select((v, i) => v + y[i]).ToArray(), sum, 1e-6f);
            TestUtil.Close(x.Select((v, i) => v / y[i]).ToArray(), quot, 1e-6f);
            TestUtil.Close(x.Select(v => 1f / (1f + MathF.Exp(-v))).ToArray(), sig, 1e-5f);
            TestUtil.Close(x.Select(MathF.Exp).ToArray(), exp, 1e-5f);
            Assert.Equal(x.Select(v => MathF.Max(v, 0f)).ToArray(), relu);
            Assert.Equal(x.Select(v => 2f * v).ToArray(), scaled);
        }
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void OptimizerSteps_AreTheSameWithAndWithoutVectors(string kind)
    {
        // The vector loops do the scalar arithmetic in the same order (no FMA contraction), lanes and tail alike.
        float[] Train(int bits) => AtWidth(bits, () =>
        {
            var w = Tensor.Randn([37], new Generator(5)).RequireGrad();
            Optimizer opt = kind == "sgd" ? new SGD([w], 0.1f, momentum: 0.9f, weightDecay: 0.01f) : new Adam([w], 0.01f);
            for (int step = 0; step < 5; step++)
            {
                opt.ZeroGrad();
                ((w * w).Sum() + w.Sum()).Backward();
                opt.Step();
            }
            return w.ToArray();
        });
        Assert.Equal(Train(0), Train(256));
    }

    [Theory, MemberData(nameof(Widths))]
    public void AnMlpLearns_AtEveryWidth(int bits)
    {
        // XOR-like classes in two dimensions: forward, backward (both transposed GEMM variants) and Adam at each width.
        var gen = new Generator(8);
        var x = Tensor.Uniform([64, 2], -1f, 1f, gen);
        var xv = x.ToArray();
        var y = Tensor.FromArray(Enumerable.Range(0, 64).Select(i => xv[2 * i] * xv[2 * i + 1] > 0 ? 1f : 0f).ToArray());
        var (first, last) = AtWidth(bits, () =>
        {
            var model = new Sequential(new Linear(2, 32, gen: new Generator(1)), new Tanh(), new Linear(32, 2, gen: new Generator(2)));
            var opt = new Adam(model.Parameters(), 0.05f);
            var loss = new CrossEntropyLoss();
            float f = 0, l = 0;
            for (int step = 0; step < 150; step++)
            {
                opt.ZeroGrad();
                var value = loss.Call(model.Call(x), y);
                value.Backward();
                opt.Step();
                if (step == 0) f = value.Item();
                l = value.Item();
            }
            return (f, l);
        });
        Assert.True(last < 0.3f * first, $"loss {first} → {last} at {bits} bits");
    }

    [Fact]
    public void Width_RejectsUnknownValues()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SimdWidth.Bits = 64);
        Assert.Contains("0, 128, 256 or 512", e.Message);
        Assert.Equal(SimdWidth.Hardware, SimdWidth.Bits);
    }
}
