using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

/// <summary>An element-wise binary operation with scalar, 128-bit, 256-bit and 512-bit forms.</summary>
public interface IBinaryOp
{
    static abstract float Invoke(float x, float y);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    static abstract Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);
    static abstract Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

/// <summary>An element-wise unary operation with scalar, 128-bit, 256-bit and 512-bit forms.</summary>
public interface IUnaryOp
{
    static abstract float Invoke(float x);
    static abstract Vector256<float> Invoke(Vector256<float> x);
    static abstract Vector128<float> Invoke(Vector128<float> x);
    static abstract Vector512<float> Invoke(Vector512<float> x);
}

public readonly struct AddOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x + y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x + y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x + y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x + y;
}

public readonly struct SubOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x - y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x - y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x - y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x - y;
}

public readonly struct MulOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x * y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x * y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x * y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x * y;
}

public readonly struct DivOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x / y;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => x / y;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => x / y;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => x / y;
}

public readonly struct MaxOp : IBinaryOp
{
    public static float Invoke(float x, float y) => MathF.Max(x, y);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.Max(x, y);
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.Max(x, y);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.Max(x, y);
}

public readonly struct MinOp : IBinaryOp
{
    public static float Invoke(float x, float y) => MathF.Min(x, y);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.Min(x, y);
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.Min(x, y);
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.Min(x, y);
}

/// <summary>x ** y, computed as exp(y · log x) for positive x; negative bases follow MathF.Pow (scalar path).</summary>
public readonly struct PowOp : IBinaryOp
{
    public static float Invoke(float x, float y) => MathF.Pow(x, y);
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Scalar(x, y);
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Scalar(x.ToVector256(), y.ToVector256()).GetLower();
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y)
        => Vector512.Create(Scalar(x.GetLower(), y.GetLower()), Scalar(x.GetUpper(), y.GetUpper()));
    static Vector256<float> Scalar(Vector256<float> x, Vector256<float> y)
    {
        Span<float> r = stackalloc float[8];
        for (int i = 0; i < 8; i++) r[i] = MathF.Pow(x[i], y[i]);
        return Vector256.Create<float>(r);
    }
}

// Comparisons return 1 where true and 0 where false.
public readonly struct GreaterOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x > y ? 1f : 0f;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.GreaterThan(x, y) & Vector256<float>.One;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.GreaterThan(x, y) & Vector128<float>.One;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.GreaterThan(x, y) & Vector512<float>.One;
}

public readonly struct LessOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x < y ? 1f : 0f;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.LessThan(x, y) & Vector256<float>.One;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.LessThan(x, y) & Vector128<float>.One;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.LessThan(x, y) & Vector512<float>.One;
}

public readonly struct GreaterEqualOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x >= y ? 1f : 0f;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.GreaterThanOrEqual(x, y) & Vector256<float>.One;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.GreaterThanOrEqual(x, y) & Vector128<float>.One;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.GreaterThanOrEqual(x, y) & Vector512<float>.One;
}

public readonly struct LessEqualOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x <= y ? 1f : 0f;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.LessThanOrEqual(x, y) & Vector256<float>.One;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.LessThanOrEqual(x, y) & Vector128<float>.One;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.LessThanOrEqual(x, y) & Vector512<float>.One;
}

public readonly struct EqualOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x == y ? 1f : 0f;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => Vector256.Equals(x, y) & Vector256<float>.One;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => Vector128.Equals(x, y) & Vector128<float>.One;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => Vector512.Equals(x, y) & Vector512<float>.One;
}

public readonly struct NotEqualOp : IBinaryOp
{
    public static float Invoke(float x, float y) => x != y ? 1f : 0f;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) => ~Vector256.Equals(x, y) & Vector256<float>.One;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> y) => ~Vector128.Equals(x, y) & Vector128<float>.One;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) => ~Vector512.Equals(x, y) & Vector512<float>.One;
}

/// <summary>ReLU backward: y = g where x &gt; 0 else 0 (x first, g second).</summary>
public readonly struct ReluGradOp : IBinaryOp
{
    public static float Invoke(float x, float g) => x > 0 ? g : 0f;
    public static Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => Vector256.GreaterThan(x, Vector256<float>.Zero) & g;
    public static Vector128<float> Invoke(Vector128<float> x, Vector128<float> g) => Vector128.GreaterThan(x, Vector128<float>.Zero) & g;
    public static Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => Vector512.GreaterThan(x, Vector512<float>.Zero) & g;
}
