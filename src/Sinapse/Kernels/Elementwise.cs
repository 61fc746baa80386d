using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

/// <summary>
/// The one SIMD loop driver for element-wise ops: Vector512 where the hardware accelerates it, else Vector256, else
/// Vector128 (Arm64), then a scalar tail (the width from <see cref="SimdWidth"/>). Generic over the op struct, so each
/// instantiation compiles to a tight loop.
/// </summary>
public static class Elementwise
{
    /// <summary>d[i] = op(x[i], y[i]).</summary>
    public static void Binary<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d) where T : IBinaryOp
    {
        int n = d.Length, i = 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pd = ref MemoryMarshal.GetReference(d);
        if (SimdWidth.Use512)
            for (; i <= n - 16; i += 16)
                T.Invoke(Vector512.LoadUnsafe(ref px, (nuint)i), Vector512.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        else if (SimdWidth.UseVectors)
            for (; i <= n - 8; i += 8)
                T.Invoke(Vector256.LoadUnsafe(ref px, (nuint)i), Vector256.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        else if (SimdWidth.Use128)
            for (; i <= n - 4; i += 4)
                T.Invoke(Vector128.LoadUnsafe(ref px, (nuint)i), Vector128.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref pd, i) = T.Invoke(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
    }

    /// <summary>d[i] = op(x[i], y) with a scalar right operand.</summary>
    public static void Binary<T>(ReadOnlySpan<float> x, float y, Span<float> d) where T : IBinaryOp
    {
        int n = d.Length, i = 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(d);
        if (SimdWidth.Use512)
        {
            var vy = Vector512.Create(y);
            for (; i <= n - 16; i += 16) T.Invoke(Vector512.LoadUnsafe(ref px, (nuint)i), vy).StoreUnsafe(ref pd, (nuint)i);
        }
        else if (SimdWidth.UseVectors)
        {
            var vy = Vector256.Create(y);
            for (; i <= n - 8; i += 8) T.Invoke(Vector256.LoadUnsafe(ref px, (nuint)i), vy).StoreUnsafe(ref pd, (nuint)i);
        }
        else if (SimdWidth.Use128)
        {
            var vy = Vector128.Create(y);
            for (; i <= n - 4; i += 4) T.Invoke(Vector128.LoadUnsafe(ref px, (nuint)i), vy).StoreUnsafe(ref pd, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref pd, i) = T.Invoke(Unsafe.Add(ref px, i), y);
    }

    /// <summary>d[i] = op(x, y[i]) with a scalar left operand.</summary>
    public static void Binary<T>(float x, ReadOnlySpan<float> y, Span<float> d) where T : IBinaryOp
    {
        int n = d.Length, i = 0;
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pd = ref MemoryMarshal.GetReference(d);
        if (SimdWidth.Use512)
        {
            var vx = Vector512.Create(x);
            for (; i <= n - 16; i += 16) T.Invoke(vx, Vector512.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        }
        else if (SimdWidth.UseVectors)
        {
            var vx = Vector256.Create(x);
            for (; i <= n - 8; i += 8) T.Invoke(vx, Vector256.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        }
        else if (SimdWidth.Use128)
        {
            var vx = Vector128.Create(x);
            for (; i <= n - 4; i += 4) T.Invoke(vx, Vector128.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref pd, i) = T.Invoke(x, Unsafe.Add(ref py, i));
    }

    /// <summary>d[i] = op(x[i]).</summary>
    public static void Unary<T>(ReadOnlySpan<float> x, Span<float> d) where T : IUnaryOp
    {
        int n = d.Length, i = 0;
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pd = ref MemoryMarshal.GetReference(d);
        if (SimdWidth.Use512)
            for (; i <= n - 16; i += 16) T.Invoke(Vector512.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        else if (SimdWidth.UseVectors)
            for (; i <= n - 8; i += 8) T.Invoke(Vector256.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        else if (SimdWidth.Use128)
            for (; i <= n - 4; i += 4) T.Invoke(Vector128.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref pd, i) = T.Invoke(Unsafe.Add(ref px, i));
    }
}
