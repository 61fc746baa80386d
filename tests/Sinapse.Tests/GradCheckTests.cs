namespace Sinapse.Tests;

using static TestUtil;

/// <summary>Every differentiable op's backward against central finite differences.</summary>
public class GradCheckTests
{
    public static TheoryData<string> UnaryOps => new()
    {
        "Neg", "Exp", "Log", "Sqrt", "Abs", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Gelu", "Step", "Pow3", "Clamp",
        "Softmax", "LogSoftmax", "LogSumExp", "Sum", "SumAxis", "Mean", "MeanAxes", "Max", "MaxAxis", "Min", "Var", "Std",
        "Reshape", "Permute", "Transpose", "Slice", "SliceStep", "Select", "Squeeze", "Unsqueeze", "Expand", "Flatten",
        "Contiguous", "Clone", "IndexSelect", "Gather", "Split",
        "Softplus", "SoftplusSteep", "Silu", "Mish", "Softsign", "Hardtanh", "Relu6", "Prelu",
    };

    static Tensor Unary(string op, Tensor x) => op switch
    {
        "Neg" => -x,
        "Exp" => x.Exp(),
        "Log" => x.Log(),
        "Sqrt" => x.Sqrt(),
        "Abs" => x.Abs(),
        "Relu" => x.Relu(),
        "Sigmoid" => x.Sigmoid(),
        "Tanh" => x.Tanh(),
        "LeakyRelu" => x.LeakyRelu(0.1f),
        "Elu" => x.Elu(),
        "Gelu" => x.Gelu(),
        "Step" => x.Step() + x,
        "Pow3" => x.Pow(3f),
        "Clamp" => x.Clamp(-0.5f, 0.5f),
        "Softmax" => x.Softmax(1),
        "LogSoftmax" => x.LogSoftmax(1),
        "LogSumExp" => x.LogSumExp(1),
        "Sum" => x.Sum(),
        "SumAxis" => x.Sum(0),
        "Mean" => x.Mean(),
        "MeanAxes" => x.Mean([0, 1], keepDim: true),
        "Max" => x.Max(),
        "MaxAxis" => x.Max(1),
        "Min" => x.Min(0),
        "Var" => x.Var(1),
        "Std" => x.Std(0),
        "Reshape" => x.Reshape(4, 3) * Tensor.Arange(12).Reshape(4, 3),
        "Permute" => x.Permute(1, 0) * Tensor.Arange(12).Reshape(4, 3),
        "Transpose" => x.Transpose(0, 1).Contiguous() * 2f,
        "Slice" => x.Slice(1, 1, 3),
        "SliceStep" => x.Slice(1, 0, 4, 2) * 3f,
        "Select" => x.Select(0, 1),
        "Squeeze" => x.Reshape(3, 1, 4).Squeeze(1),
        "Unsqueeze" => x.Unsqueeze(0) * Tensor.Ones(2, 3, 4),
        "Expand" => x.Unsqueeze(0).Expand(2, 3, 4) * Tensor.Arange(24).Reshape(2, 3, 4),
        "Flatten" => x.Flatten() * Tensor.Arange(12),
        "Contiguous" => x.T.Contiguous(),
        "Clone" => x.Clone() * x,
        "IndexSelect" => x.IndexSelect(1, [3, 0, 3]),
        "Gather" => x.Gather(1, Tensor.FromArray([0f, 3, 1, 1, 2, 0], 3, 2)),
        "Split" => x.Split(3, 1)[1] * 2f,
        "Softplus" => x.Softplus(),
        "SoftplusSteep" => (x * 3f).Softplus(beta: 2f, threshold: 3f), // both sides of the threshold
        "Silu" => x.Silu(),
        "Mish" => x.Mish(),
        "Softsign" => x.Softsign(),
        "Hardtanh" => x.Hardtanh(-0.5f, 0.5f),
        "Relu6" => (x * 8f).Relu6(),
        "Prelu" => x.Prelu(Tensor.Full([1], 0.3f)),
        _ => throw new ArgumentException(op),
    };

    [Theory, MemberData(nameof(UnaryOps))]
    public void UnaryOp(string op)
    {
        // (3, 4) inputs; positive for Log/Sqrt; distinct values away from kinks (0 for ReLU/Abs, ties for Max).
        bool positive = op is "Log" or "Sqrt";
        var x = Param([3, 4], seed: 3, lo: positive ? 0.5f : -1f, hi: positive ? 2f : 1f);
        if (op is "Relu" or "Abs" or "LeakyRelu" or "Elu" or "Step" or "Clamp" or "Hardtanh" or "Relu6" or "Prelu" or "SoftplusSteep")
        {
            var v = x.ToArray().Select(a => MathF.Abs(a) < 0.1f ? a + 0.3f : a).Select(a => MathF.Abs(MathF.Abs(a) - 0.5f) < 0.05f ? a * 1.2f : a).ToArray();
            x = Tensor.FromArray(v, 3, 4).RequireGrad();
        }
        Passes(GradCheck.Check(t => Unary(op, t), x));
    }

    public static TheoryData<string> BinaryOps => new() { "Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "MatMul", "MatMulBatched", "Linear", "LinearRelu", "Where", "Concat", "Stack" };

    [Theory, MemberData(nameof(BinaryOps))]
    public void BinaryOp(string op)
    {
        // Broadcasting: a (3, 4) against b (4) or (3, 1) so the engine has to sum gradients back.
        Tensor a = Param([3, 4], 5, 0.5f, 1.5f), b;
        Func<Tensor[], Tensor> f;
        switch (op)
        {
            case "Add": b = Param([4], 6); f = t => t[0] + t[1]; break;
            case "Sub": b = Param([3, 1], 6); f = t => t[0] - t[1]; break;
            case "Mul": b = Param([4], 6); f = t => t[0] * t[1]; break;
            case "Div": b = Param([3, 1], 6, 0.5f, 2f); f = t => t[0] / t[1]; break;
            case "Pow": b = Param([4], 6, 0.5f, 2f); f = t => Tensor.Pow(t[0], t[1]); break;
            case "Maximum": b = Param([4], 6, -0.3f, 0.4f); f = t => Tensor.Maximum(t[0], t[1] + 1f); break;
            case "Minimum": b = Param([4], 6, -0.3f, 0.4f); f = t => Tensor.Minimum(t[0], t[1] + 1f); break;
            case "MatMul": b = Param([4, 5], 6); f = t => Tensor.MatMul(t[0], t[1]); break;
            case "MatMulBatched": a = Param([2, 3, 4], 5); b = Param([4, 2], 6); f = t => Tensor.MatMul(t[0], t[1]); break;
            case "Linear":
                var bias = Param([5], 8);
                b = Param([5, 4], 6);
                Passes(GradCheck.Check(t => Tensor.Linear(t[0], t[1], t[2]), [a, b, bias]));
                var a3 = Param([2, 3, 4], 9);
                Passes(GradCheck.Check(t => Tensor.Linear(t[0], t[1], t[2]), [a3, b, bias]));
                return;
            case "LinearRelu":
                // The fused Linear → ReLU op (the GEMM clamps as it stores); some outputs are negative, so the mask matters.
                // Pick a bias (deterministically) that keeps every pre-activation ≥ 0.1 away from the kink at 0,
                // where central differences with eps = 0.01 would straddle it.
                b = Param([5, 4], 6);
                Tensor biasR = Param([5], 8);
                for (ulong seed = 9; Tensor.Linear(a, b, biasR).Abs().Min().Item() < 0.1f; seed++) biasR = Param([5], seed, -1.5f, 1.5f);
                var fused = Tensor.Linear(a, b, biasR, relu: true);
                Assert.Contains(0f, fused.ToArray());
                TestUtil.Close(Tensor.Linear(a, b, biasR).Relu(), fused, 1e-6f);
                Passes(GradCheck.Check(t => Tensor.Linear(t[0], t[1], t[2], relu: true), [a, b, biasR]));
                Passes(GradCheck.Check(t => Tensor.Linear(t[0], t[1], null, relu: true), [a, b]));
                return;
            case "Where": b = Param([3, 4], 6); f = t => Tensor.Where(Tensor.FromArray([1f, 0, 0, 1]), t[0], t[1] * 2f); break;
            case "Concat": b = Param([2, 4], 6); f = t => Tensor.Concat([t[0], t[1]], 0) * Tensor.Arange(20).Reshape(5, 4); break;
            case "Stack": b = Param([3, 4], 6); f = t => Tensor.Stack([t[0], t[1]], 1) * Tensor.Arange(24).Reshape(3, 2, 4); break;
            default: throw new ArgumentException(op);
        }
        Passes(GradCheck.Check(f, [a, b]));
    }

    [Fact]
    public void Prelu_PerChannel_GradientsOfInputAndSlopes()
    {
        // (N, C, H, W) = (2, 3, 2, 2), one slope per channel; values away from the kink at 0.
        var v = Tensor.Uniform([2, 3, 2, 2], -1f, 1f, new Generator(5)).ToArray().Select(a => MathF.Abs(a) < 0.1f ? a + 0.3f : a).ToArray();
        var x = Tensor.FromArray(v, 2, 3, 2, 2).RequireGrad();
        var w = Tensor.FromArray([0.1f, 0.25f, -0.2f]).RequireGrad();
        Passes(GradCheck.Check(t => t[0].Prelu(t[1]), [x, w]));
        var shared = Tensor.FromArray([0.2f]).RequireGrad();
        Passes(GradCheck.Check(t => t[0].Prelu(t[1]), [x, shared]));
        var e = Assert.Throws<ArgumentException>(() => x.Prelu(Tensor.Ones(4)));
        Assert.Contains("PReLU", e.Message); Assert.Contains("(2, 3, 2, 2)", e.Message);
    }

    [Fact]
    public void ActivationValues_MatchTheirDefinitions()
    {
        var x = Tensor.FromArray([-3f, -0.5f, 0.5f, 2f, 30f]);
        float[] Exact(Func<double, double> f) => x.ToArray().Select(a => (float)f(a)).ToArray();
        static double Sig(double a) => 1 / (1 + Math.Exp(-a));
        Close(Exact(a => Math.Log(1 + Math.Exp(a))), x.Softplus().ToArray(), 1e-6f);
        Close(Exact(a => a * Sig(a)), x.Silu().ToArray(), 1e-6f);
        Close(Exact(a => a * Math.Tanh(Math.Log(1 + Math.Exp(a)))), x.Mish().ToArray(), 1e-6f);
        Close(Exact(a => a / (1 + Math.Abs(a))), x.Softsign().ToArray(), 1e-6f);
        Assert.Equal([-1f, -0.5f, 0.5f, 1f, 1f], x.Hardtanh().ToArray());
        Assert.Equal([0f, 0f, 0.5f, 2f, 6f], x.Relu6().ToArray());
        Assert.Equal([-0.75f, -0.125f, 0.5f, 2f, 30f], x.Prelu(Tensor.Full([1], 0.25f)).ToArray());
        // Softplus with β: (1/β)·log(1 + e^(βx)), and x itself beyond the threshold (βx > 20 here for x = 30).
        Close(Exact(a => 2 * a > 20 ? a : Math.Log(1 + Math.Exp(2 * a)) / 2), x.Softplus(beta: 2f).ToArray(), 1e-6f);
    }

    [Fact]
    public void GradCheck_CatchesAWrongBackward()
    {
        // A deliberately wrong derivative (d/dx x² reported as x) must fail the check.
        var x = Param([5], 2, 0.5f, 1.5f);
        var r = GradCheck.Check(WrongSquare, x);
        Assert.False(r.Passed);
    }

    static Tensor WrongSquare(Tensor t) => t.Detach() * t; // gradient flows through one factor only: x instead of 2x
}
