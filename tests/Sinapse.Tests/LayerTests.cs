using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Tests;

public class LayerTests
{
    public static TheoryData<string> Activations => new()
    {
        "Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "Softmax", "LogSoftmax",
        "Softplus", "SiLU", "Mish", "Softsign", "Hardtanh", "ReLU6", "PReLU",
    };

    static Module<Tensor, Tensor> Make(string name) => name switch
    {
        "Step" => new Step(), "Sigmoid" => new Sigmoid(), "Tanh" => new Tanh(), "ReLU" => new ReLU(),
        "LeakyReLU" => new LeakyReLU(0.2f), "ELU" => new ELU(), "GELU" => new GELU(),
        "Softplus" => new Softplus(2f, 5f), "SiLU" => new SiLU(), "Mish" => new Mish(), "Softsign" => new Softsign(),
        "Hardtanh" => new Hardtanh(-0.5f, 0.5f), "ReLU6" => new ReLU6(), "PReLU" => new PReLU(),
        "Softmax" => new Softmax(), "LogSoftmax" => new LogSoftmax(), _ => throw new ArgumentException(name),
    };

    [Theory, MemberData(nameof(Activations))]
    public void Activation_KeepsShape_AndMatchesFunctional(string name)
    {
        var x = Tensor.Randn([4, 5], new Generator(1));
        var y = Make(name).Call(x);
        Assert.Equal(x.Shape, y.Shape);
        var f = name switch
        {
            "Step" => F.Step(x), "Sigmoid" => F.Sigmoid(x), "Tanh" => F.Tanh(x), "ReLU" => F.Relu(x), "LeakyReLU" => F.LeakyRelu(x, 0.2f),
            "ELU" => F.Elu(x), "GELU" => F.Gelu(x), "Softmax" => F.Softmax(x), "LogSoftmax" => F.LogSoftmax(x),
            "Softplus" => F.Softplus(x, 2f, 5f), "SiLU" => F.Silu(x), "Mish" => F.Mish(x), "Softsign" => F.Softsign(x),
            "Hardtanh" => F.Hardtanh(x, -0.5f, 0.5f), "ReLU6" => F.Relu6(x), _ => F.Prelu(x, Tensor.Full([1], 0.25f)),
        };
        Assert.Equal(f.ToArray(), y.ToArray());
    }

    [Fact]
    public void Softmax_ReproducesTheCourseTable()
    {
        // The deck's cat/dog/horse example: scores → probabilities (rounded to 2 decimals).
        var scores = Tensor.FromArray(new float[,] { { 5, 4, 2 }, { 4, 2, 8 }, { 4, 4, 1 } });
        var p = new Softmax().Call(scores).ToArray().Select(v => MathF.Round(v, 2)).ToArray();
        Assert.Equal([0.71f, 0.26f, 0.04f, 0.02f, 0.00f, 0.98f, 0.49f, 0.49f, 0.02f], p);
        var big = Tensor.FromArray([1000f, 1001f]).Softmax(); // stable for large logits
        Assert.DoesNotContain(big.ToArray(), float.IsNaN);
    }

    [Fact]
    public void Linear_Shapes_Init_AndGradCheck()
    {
        var l = new Linear(784, 256, gen: new Generator(1));
        Assert.Equal([256, 784], l.Weight.Shape);
        Assert.Equal([256], l.Bias!.Shape);
        Assert.Equal([32, 256], l.Call(Tensor.Zeros(32, 784)).Shape);
        Assert.Equal([2, 3, 256], l.Call(Tensor.Zeros(2, 3, 784)).Shape);
        float bound = 1f / MathF.Sqrt(784);
        Assert.True(l.Weight.Max().Item() <= bound && l.Weight.Min().Item() >= -bound);
        var e = Assert.Throws<ArgumentException>(() => l.Call(Tensor.Zeros(2, 10)));
        Assert.Contains("Linear", e.Message); Assert.Contains("(2, 10)", e.Message);
        var small = new Linear(3, 2, gen: new Generator(2));
        TestUtil.Passes(GradCheck.Check(xs => small.Call(xs[0]), [TestUtil.Param([4, 3])]));
    }

    [Fact]
    public void Linear_LearnsALinearMap()
    {
        var gen = new Generator(3);
        var x = Tensor.Randn([64, 3], gen);
        var y = Tensor.MatMul(x, Tensor.FromArray([2f, -1, 0.5f], 3, 1)) + 0.3f;
        var l = new Linear(3, 1, gen: gen);
        var opt = new SGD(l.Parameters(), 0.1f);
        var loss = new MSELoss();
        for (int i = 0; i < 300; i++) { opt.ZeroGrad(); loss.Call(l.Call(x), y).Backward(); opt.Step(); }
        TestUtil.Close([2f, -1, 0.5f], l.Weight.ToArray(), 1e-3f);
        Assert.Equal(0.3f, l.Bias!.Item(), 3);
    }

    [Fact]
    public void ZeroGrad_IsLazy_ButGradientsReadAsZero_AndBackwardOverwritesOrAccumulates()
    {
        var gen = new Generator(4);
        var l = new Linear(5, 3, gen: gen);
        var opt = new SGD(l.Parameters(), 0.1f);
        var x1 = Tensor.Randn([4, 5], gen); var x2 = Tensor.Randn([4, 5], gen);
        float[] GradOf(Tensor x)
        {
            var w = l.Weight.Detach().Contiguous().RequireGrad();
            (Tensor.Linear(x, w, l.Bias!.Detach()) * (Tensor.Linear(x, w, l.Bias!.Detach()))).Sum().Backward();
            return w.Grad!.ToArray();
        }
        Tensor Loss(Tensor x) { var y = l.Call(x); return (y * y).Sum(); }

        Loss(x1).Backward();
        TestUtil.Close(GradOf(x1), l.Weight.Grad!.ToArray(), 1e-5f);
        // Without ZeroGrad a second backward accumulates.
        Loss(x2).Backward();
        var sum = GradOf(x1).Zip(GradOf(x2), (a, b) => a + b).ToArray();
        TestUtil.Close(sum, l.Weight.Grad!.ToArray(), 1e-5f);
        // After ZeroGrad the gradient reads as zeros...
        opt.ZeroGrad();
        Assert.All(l.Weight.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(l.Bias!.Grad!.ToArray(), v => Assert.Equal(0f, v));
        // ...and, zeroed without being read, is overwritten by the next backward (not added to the stale values).
        opt.ZeroGrad();
        Loss(x2).Backward();
        TestUtil.Close(GradOf(x2), l.Weight.Grad!.ToArray(), 1e-5f);
        var yb = l.Call(x2);
        var expectedDb = (yb * 2f).Sum(0).ToArray();
        TestUtil.Close(expectedDb, l.Bias.Grad!.ToArray(), 1e-4f);
    }

    [Theory, MemberData(nameof(Activations))]
    public void EveryActivation_TrainsInATinyNetwork(string name)
    {
        if (name == "Step") return; // zero gradient by design: trained by Rosenblatt's rule instead (PerceptronTests)
        var gen = new Generator(4);
        var x = Tensor.Randn([32, 2], gen);
        var y = (x.Select(1, 0) * x.Select(1, 1)).Gt(0f); // XOR-like quadrant labels
        var model = new Sequential(new Linear(2, 16, gen: gen), Make(name), new Linear(16, 2, gen: gen));
        var opt = new Adam(model.Parameters(), 0.05f);
        var loss = new CrossEntropyLoss();
        float first = loss.Call(model.Call(x), y).Item(), last = 0;
        for (int i = 0; i < 150; i++) { opt.ZeroGrad(); var l = loss.Call(model.Call(x), y); l.Backward(); opt.Step(); last = l.Item(); }
        Assert.True(last < first * 0.6f, $"{name}: loss {first} → {last}");
    }

    [Fact]
    public void Dropout_TrainVsEval()
    {
        var d = new Dropout(0.5f, new Generator(1));
        var x = Tensor.Ones(10000);
        var y = d.Call(x).ToArray();
        Assert.InRange(y.Count(v => v == 0) / 10000f, 0.45f, 0.55f);
        Assert.All(y, v => Assert.True(v == 0 || v == 2f));
        d.Eval();
        Assert.Same(x, d.Call(x));
        TestUtil.Passes(GradCheck.Check(t => { var g = new Dropout(0.3f, new Generator(2)); return g.Call(t); }, TestUtil.Param([20])));
    }

    [Fact]
    public void Flatten_Shapes()
    {
        Assert.Equal([8, 784], new Flatten().Call(Tensor.Zeros(8, 1, 28, 28)).Shape);
        Assert.Equal([8, 28, 28], new Flatten(1, 2).Call(Tensor.Zeros(8, 1, 28, 28)).Shape);
    }

    [Fact]
    public void Module_RegistrationNamesSummaryAndModes()
    {
        var m = new Sequential(new Flatten(), new Linear(4, 3), new ReLU(), new Dropout(0.2f), new Linear(3, 2));
        Assert.Equal(["1.weight", "1.bias", "4.weight", "4.bias"], m.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(4 * 3 + 3 + 3 * 2 + 2, m.ParameterCount());
        m.Eval();
        Assert.False(m.Training); Assert.False(m[3].Training);
        m.Train();
        Assert.True(m[3].Training);
        var s = m.Summary(5, 2, 2);
        Assert.Contains("Linear", s); Assert.Contains("(5, 3)", s); Assert.Contains("(5, 2)", s); Assert.Contains("Total params: 23", s);
        Assert.Contains("(1): Linear(in_features=4, out_features=3, bias=True)", m.ToString());
        Assert.StartsWith("Sequential(", m.ToString());
    }

    [Fact]
    public void Initialisers_HaveTheRightSpread()
    {
        var w = Tensor.Zeros(400, 600);
        var gen = new Generator(5);
        Init.XavierUniform(w, gen: gen);
        Assert.InRange(w.Std().Item(), 0.95f * MathF.Sqrt(2f / 1000), 1.05f * MathF.Sqrt(2f / 1000));
        Init.XavierNormal(w, gen: gen);
        Assert.InRange(w.Std().Item(), 0.95f * MathF.Sqrt(2f / 1000), 1.05f * MathF.Sqrt(2f / 1000));
        Init.KaimingUniform(w, gen: gen);
        Assert.InRange(w.Std().Item(), 0.95f * MathF.Sqrt(2f / 600), 1.05f * MathF.Sqrt(2f / 600));
        Init.KaimingNormal(w, gen: gen);
        Assert.InRange(w.Std().Item(), 0.95f * MathF.Sqrt(2f / 600), 1.05f * MathF.Sqrt(2f / 600));
        Init.Constant(w, 0.5f);
        Assert.All(w.ToArray(), v => Assert.Equal(0.5f, v));
        Init.Zeros(w);
        Assert.Equal(0f, w.Abs().Sum().Item());
    }
}
