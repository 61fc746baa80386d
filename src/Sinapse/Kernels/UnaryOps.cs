using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

public readonly struct NegOp : IUnaryOp
{
    public static float Invoke(float x) => -x;
    public static Vector256<float> Invoke(Vector256<float> x) => -x;
    public static Vector128<float> Invoke(Vector128<float> x) => -x;
    public static Vector512<float> Invoke(Vector512<float> x) => -x;
}

public readonly struct AbsOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Abs(x);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Abs(x);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Abs(x);
}

public readonly struct SqrtOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Sqrt(x);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Sqrt(x);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Sqrt(x);
}

public readonly struct ExpOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Exp(x);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Exp(x);
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Exp(x);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Exp(x);
}

public readonly struct LogOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Log(x);
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Log(x);
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Log(x);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Log(x);
}

public readonly struct ReluOp : IUnaryOp
{
    public static float Invoke(float x) => x > 0 ? x : 0f;
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.Max(x, Vector128<float>.Zero);
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
}

/// <summary>Heaviside step: 1 for x ≥ 0, else 0 (the classic perceptron threshold).</summary>
public readonly struct StepOp : IUnaryOp
{
    public static float Invoke(float x) => x >= 0 ? 1f : 0f;
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero) & Vector256<float>.One;
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128.GreaterThanOrEqual(x, Vector128<float>.Zero) & Vector128<float>.One;
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero) & Vector512<float>.One;
}

/// <summary>Logistic sigmoid 1/(1+e^-x), computed without overflow for large |x|.</summary>
public readonly struct SigmoidOp : IUnaryOp
{
    public static float Invoke(float x) => 1f / (1f + MathF.Exp(-x));
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));
    public static Vector128<float> Invoke(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Vector128.Exp(-x));
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));
}

/// <summary>tanh x = 2σ(2x) − 1.</summary>
public readonly struct TanhOp : IUnaryOp
{
    public static float Invoke(float x) => MathF.Tanh(x);
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        var two = Vector256.Create(2f);
        return two / (Vector256<float>.One + Vector256.Exp(-two * x)) - Vector256<float>.One;
    }
    public static Vector128<float> Invoke(Vector128<float> x)
    {
        var two = Vector128.Create(2f);
        return two / (Vector128<float>.One + Vector128.Exp(-two * x)) - Vector128<float>.One;
    }
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        var two = Vector512.Create(2f);
        return two / (Vector512<float>.One + Vector512.Exp(-two * x)) - Vector512<float>.One;
    }
}
