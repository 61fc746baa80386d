using Sinapse.Tests.Support;

namespace Sinapse.Tests;

[Collection(nameof(ProcessWideCollection))]
public class TensorTests
{
    [Fact]
    public void Creation_ShapesAndValues()
    {
        Assert.Equal([2, 3], Tensor.Zeros(2, 3).Shape);
        Assert.All(Tensor.Ones(4).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Tensor.Full([2, 2], 7f).ToArray(), v => Assert.Equal(7f, v));
        Assert.Equal([0f, 2f, 4f], Tensor.Arange(0, 5, 2).ToArray());
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f, 1f], Tensor.Linspace(0, 1, 5).ToArray());
        Assert.Equal([1f, 0, 0, 0, 1, 0], Tensor.Eye(2, 3).ToArray());
        Assert.Equal(0, Tensor.Scalar(3f).Rank);
        Assert.Equal(3f, Tensor.Scalar(3f).Item());
        var f = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(3f, f[1, 0]);
        Assert.Equal(4f, f[-1, -1]);
    }

    [Fact]
    public void Random_IsSeededAndHasRightMoments()
    {
        var a = Tensor.Randn([10000], new Generator(5));
        var b = Tensor.Randn([10000], new Generator(5));
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.InRange(a.Mean().Item(), -0.05f, 0.05f);
        Assert.InRange(a.Std().Item(), 0.95f, 1.05f);
        var u = Tensor.Uniform([10000], 2f, 4f, new Generator(1));
        Assert.InRange(u.Min().Item(), 2f, 2.01f);
        Assert.InRange(u.Max().Item(), 3.99f, 4f);
        Assert.InRange(Tensor.Rand([10000], new Generator(2)).Mean().Item(), 0.48f, 0.52f);
        Assert.NotEqual(Tensor.Rand([5], new Generator(1)).ToArray(), Tensor.Rand([5], new Generator(2)).ToArray());
    }

    [Fact]
    public void Views_ShareStorage()
    {
        var t = Tensor.Arange(6).Reshape(2, 3);
        var tr = t.T;
        Assert.Equal([3, 2], tr.Shape);
        Assert.False(tr.IsContiguous);
        Assert.Equal([0f, 3, 1, 4, 2, 5], tr.ToArray());
        tr[0, 1] = 100f;                       // writes through to t[1, 0]
        Assert.Equal(100f, t[1, 0]);
        Assert.Equal([0f, 100f], t.Slice(1, 0, 1).Reshape(2).ToArray());
        Assert.Equal([2, 1, 3], t.Unsqueeze(1).Shape);
        Assert.Equal([2, 3], t.Unsqueeze(1).Squeeze().Shape);
        Assert.Equal([3, 2, 3], t.Unsqueeze(0).Expand(3, -1, -1).Shape);
        Assert.Equal([1f, 4f], t.Slice(1, 1, 2).Reshape(2).ToArray());
        Assert.Equal([0f, 2f], Tensor.Arange(6).Slice(0, 0, 4, 2).Slice(0, 0, 2).ToArray());
        Assert.Equal([3f, 4f, 5f], Tensor.Arange(6).Reshape(2, 3).Select(0, 1).ToArray());
        Assert.Equal([3, 2], Tensor.Zeros(2, 3).Permute(1, 0).Shape);
        Assert.Equal([6], Tensor.Zeros(2, 3).Flatten().Shape);
        Assert.Equal([2, 3], Tensor.Zeros(6).Reshape(-1, 3).Shape);
    }

    [Fact]
    public void Broadcasting_Arithmetic()
    {
        var a = Tensor.FromArray([1f, 2, 3, 4, 5, 6], 2, 3);
        var row = Tensor.FromArray([10f, 20, 30]);
        var col = Tensor.FromArray([100f, 200], 2, 1);
        Assert.Equal([11f, 22, 33, 14, 25, 36], (a + row).ToArray());
        Assert.Equal([101f, 102, 103, 204, 205, 206], (a + col).ToArray());
        Assert.Equal([2f, 4, 6, 8, 10, 12], (a * 2f).ToArray());
        Assert.Equal([0.5f, 1, 1.5f, 2, 2.5f, 3], (a / 2f).ToArray());
        Assert.Equal([-1f, -2, -3, -4, -5, -6], (-a).ToArray());
        Assert.Equal([110f, 120, 130, 210, 220, 230], (row + col).ToArray()); // (3) + (2,1) → (2,3)
        Assert.Equal([1f, 4, 9], Tensor.FromArray([1f, 2, 3]).Pow(2f).ToArray());
        Assert.Equal([0f, 0, 1, 1, 1, 1], a.Gt(2f).ToArray());
        Assert.Equal([2f, 2, 3, 4, 4, 4], a.Clamp(2, 4).ToArray());
        Assert.Equal([1f, 20, 3], Tensor.Where(Tensor.FromArray([1f, 0, 1]), Tensor.FromArray([1f, 2, 3]), row).ToArray());
        // Large tensors take the parallel SIMD path; compare with scalar arithmetic.
        var big = Tensor.Randn([300, 333], new Generator(3));
        var bias = Tensor.Randn([333], new Generator(4));
        var s = (big + bias).ToArray(); var bv = big.ToArray(); var cv = bias.ToArray();
        for (int i = 0; i < s.Length; i++) Assert.Equal(bv[i] + cv[i % 333], s[i]);
        var viaT = (big.T.Contiguous().T * 3f).ToArray();  // strided operand
        for (int i = 0; i < s.Length; i++) Assert.Equal(bv[i] * 3f, viaT[i]);
    }

    [Fact]
    public void UnaryFunctions_MatchScalarMath()
    {
        var x = Tensor.Linspace(-3, 3, 37);
        var xv = x.ToArray();
        TestUtil.Close(xv.Select(MathF.Exp).ToArray(), x.Exp().ToArray(), 1e-5f);
        TestUtil.Close(xv.Select(MathF.Tanh).ToArray(), x.Tanh().ToArray(), 1e-5f);
        TestUtil.Close(xv.Select(v => 1f / (1f + MathF.Exp(-v))).ToArray(), x.Sigmoid().ToArray(), 1e-5f);
        TestUtil.Close(xv.Select(v => MathF.Max(v, 0)).ToArray(), x.Relu().ToArray());
        TestUtil.Close(xv.Select(MathF.Abs).ToArray(), x.Abs().ToArray());
        TestUtil.Close(xv.Select(v => v >= 0 ? 1f : 0f).ToArray(), x.Step().ToArray());
        var p = Tensor.Linspace(0.1f, 5, 40);
        TestUtil.Close(p.ToArray().Select(v => MathF.Log(v)).ToArray(), p.Log().ToArray(), 1e-5f);
        TestUtil.Close(p.ToArray().Select(v => MathF.Sqrt(v)).ToArray(), p.Sqrt().ToArray(), 1e-6f);
        Assert.Equal(0.8413447f * 1f, Tensor.FromArray([1f]).Gelu().Item(), 5);
    }

    [Fact]
    public void Reductions_AlongAxes()
    {
        var a = Tensor.FromArray([1f, 5, 3, 4, 2, 6], 2, 3);
        Assert.Equal(21f, a.Sum().Item());
        Assert.Equal([5f, 7, 9], a.Sum(0).ToArray());
        Assert.Equal([9f, 12], a.Sum(1).ToArray());
        Assert.Equal([2, 1], a.Sum(1, keepDim: true).Shape);
        Assert.Equal([3f, 4], a.Mean(1).ToArray());
        Assert.Equal([5f, 6], a.Max(1).ToArray());
        Assert.Equal([1f, 2], a.Min(1).ToArray());
        Assert.Equal([1f, 2], a.ArgMax(1).ToArray());
        Assert.Equal([0f, 1, 0], a.ArgMin(0).ToArray());
        Assert.Equal(17.5f / 6, a.Var(correction: 0).Item(), 5);
        Assert.Equal(MathF.Sqrt(17.5f / 5), a.Std().Item(), 5);
        var c = Tensor.Arange(24).Reshape(2, 3, 4);
        Assert.Equal([60f, 66, 72, 78], c.Sum([0, 1]).ToArray());
        Assert.Equal(276f, c.Permute(2, 0, 1).Sum().Item());
        var big = Tensor.Randn([512, 300], new Generator(9));
        var bv = big.ToArray();
        var rowSums = big.Sum(1).ToArray();
        for (int r = 0; r < 512; r += 97) Assert.Equal(bv.Skip(r * 300).Take(300).Sum(), rowSums[r], 3);
    }

    [Fact]
    public void JoinAndIndex()
    {
        var a = Tensor.FromArray([1f, 2, 3, 4], 2, 2);
        var b = Tensor.FromArray([5f, 6], 1, 2);
        Assert.Equal([1f, 2, 3, 4, 5, 6], Tensor.Concat([a, b], 0).ToArray());
        Assert.Equal([2, 2, 2], Tensor.Stack([a, a], 0).Shape);
        Assert.Equal([1f, 2, 1, 2, 3, 4, 3, 4], Tensor.Stack([a, a], 1).ToArray());
        var parts = Tensor.Arange(5).Split(2);
        Assert.Equal(3, parts.Length);
        Assert.Equal([4f], parts[2].ToArray());
        Assert.Equal([[0f, 1], [2f, 3, 4]], Tensor.Arange(5).Split([2, 3]).Select(p => p.ToArray()).ToArray());
        Assert.Equal([3f, 4, 1, 2], a.IndexSelect(0, [1, 0]).ToArray());
        Assert.Equal([2f, 3], a.Gather(1, Tensor.FromArray([1f, 0], 2, 1)).ToArray());
        Assert.Equal([0f, 1, 0, 1, 0, 0], Tensor.OneHot([1, 0], 3).ToArray());
    }

    [Fact]
    public void MatMul_MatchesNaiveOnManyShapes()
    {
        var gen = new Generator(11);
        int[][] shapes = [[1, 1, 1], [1, 7, 5], [7, 1, 5], [5, 7, 1], [13, 17, 19], [64, 64, 64], [97, 131, 61], [6, 32, 300], [257, 129, 33], [0, 4, 3], [3, 4, 0]];
        foreach (var threads in new[] { 1, 2 })
        {
            Settings.Threads = threads;
            foreach (var s in shapes)
            {
                int m = s[0], n = s[1], k = s[2];
                var a = Tensor.Randn([m, k], gen); var b = Tensor.Randn([k, n], gen);
                var c = Tensor.MatMul(a, b);
                Assert.Equal([m, n], c.Shape);
                Assert.Equal(Naive(a, b), c.ToArray(), new FloatComparer(1e-3f));
                // Transposed operands read through strides give the same product.
                var ct = Tensor.MatMul(a.T.Contiguous().T, b.T.Contiguous().T);
                Assert.Equal(c.ToArray(), ct.ToArray(), new FloatComparer(1e-3f));
            }
        }
        Settings.Threads = Environment.ProcessorCount;
        var big = Tensor.Randn([300, 400], gen); var bigB = Tensor.Randn([400, 350], gen);
        Assert.Equal(Naive(big, bigB), Tensor.MatMul(big, bigB).ToArray(), new FloatComparer(2e-3f));
    }

    [Fact]
    public void MatMul_RandomShapes_MatchNaive_AndAreBitIdenticalForAnyThreadCount()
    {
        // Random shapes around the blocking sizes (MR 6, NR 16/32, KC 256, MC 144), primes, thin and single-row/column
        // products, every operand layout; 1, 2 and 3 threads must give the very same bits.
        var gen = new Generator(5);
        var rnd = new Random(5);
        // [100, 700, 512] and [37, 1100, 260] have B blocks over 512 KiB, which the team packs into one shared buffer;
        // the others are small enough for each thread to pack its own. [40, 3100, 300] has two column blocks (NC 3072)
        // and two k blocks: four phases of the team's row counter.
        List<int[]> shapes = [[1, 512, 784], [1, 10, 256], [2, 500, 300], [128, 512, 784], [512, 784, 128], [150, 3, 530], [3, 150, 530], [1, 1, 1000],
            [100, 700, 512], [37, 1100, 260], [40, 3100, 300]];
        for (int i = 0; i < 12; i++) shapes.Add([rnd.Next(1, 300), rnd.Next(1, 300), rnd.Next(1, 700)]);
        try
        {
            foreach (var s in shapes)
            {
                int m = s[0], n = s[1], k = s[2];
                var a = Tensor.Randn([m, k], gen); var b = Tensor.Randn([k, n], gen);
                var expected = Naive(a, b);
                foreach (var (x, y) in new[] { (a, b), (a.T.Contiguous().T, b), (a, b.T.Contiguous().T), (a.T.Contiguous().T, b.T.Contiguous().T) })
                {
                    float[]? first = null;
                    foreach (var threads in new[] { 1, 2, 3 })
                    {
                        Settings.Threads = threads;
                        var c = Tensor.MatMul(x, y).ToArray();
                        Assert.Equal(expected, c, new FloatComparer(1e-3f * MathF.Sqrt(k)));
                        if (first == null) first = c; else Assert.Equal(first, c);
                    }
                }
            }
        }
        finally { Settings.Threads = Environment.ProcessorCount; }
    }

    [Fact]
    public void MatMul_BatchedAndVectors()
    {
        var a = Tensor.Randn([3, 4, 5], new Generator(1));
        var b = Tensor.Randn([5, 2], new Generator(2));
        var c = Tensor.MatMul(a, b);
        Assert.Equal([3, 4, 2], c.Shape);
        for (int i = 0; i < 3; i++) TestUtil.Close(Tensor.MatMul(a.Select(0, i), b), c.Select(0, i), 1e-5f);
        var v = Tensor.FromArray([1f, 2]);
        Assert.Equal([4], Tensor.MatMul(Tensor.Ones(4, 2), v).Shape);
        Assert.Equal([3f, 3, 3, 3], Tensor.MatMul(Tensor.Ones(4, 2), v).ToArray());
        Assert.Equal(5f, Tensor.MatMul(v, v).Item());
    }

    [Fact]
    public void Errors_NameTheOpAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("Add", e.Message); Assert.Contains("(2, 3)", e.Message); Assert.Contains("(4,)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("MatMul", e.Message); Assert.Contains("(2, 3)", e.Message); Assert.Contains("(4, 5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(4, 2));
        Assert.Contains("Reshape", e.Message);
        Assert.Throws<IndexOutOfRangeException>(() => Tensor.Zeros(2, 3)[2, 0]);
        e = Assert.Throws<ArgumentException>(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)], 0));
        Assert.Contains("Concat", e.Message);
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(3).Item());
    }

    [Fact]
    public void ToString_IsPyTorchLike()
    {
        Assert.Equal("tensor([[1., 2.],\n        [3., 4.]])", Tensor.FromArray([1f, 2, 3, 4], 2, 2).ToString());
        Assert.Equal("tensor([0.5000, 1.2500], requires_grad=True)", Tensor.FromArray([0.5f, 1.25f]).RequireGrad().ToString());
        Assert.Contains("grad_fn=<MulBackward>", (Tensor.Ones(2).RequireGrad() * 2f).ToString());
        Assert.Contains("...", Tensor.Zeros(2000).ToString());
    }

    static float[] Naive(Tensor a, Tensor b)
    {
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        var av = a.ToArray(); var bv = b.ToArray(); var c = new float[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double s = 0; for (int p = 0; p < k; p++) s += av[i * k + p] * bv[p * n + j]; c[i * n + j] = (float)s; }
        return c;
    }

    sealed class FloatComparer(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= tol * (1 + MathF.Abs(x));
        public int GetHashCode(float obj) => 0;
    }
}
