using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sinapse.Kernels;

public static unsafe partial class Gemm
{
    /// <summary>The micro-kernel for panels <paramref name="nr"/> wide: 32 (Vector512), 16 (Vector256) or 8 (Vector128).</summary>
    /// <remarks>
    /// The three kernels are written out, the same shape at three widths. One kernel generic over the width (a struct
    /// type argument, as the element-wise ops are) was measured: the JIT kept its twelve accumulators on the stack, a
    /// load and a store around every FMA, and the product ran at 54 instead of 79 GFLOP/s (n = 256, one thread).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Kernel(int nr, int kc, float* a, float* b, float* c, int ldc, bool add, bool relu)
    {
        if (nr == 16) Kernel256(kc, a, b, c, ldc, add, relu);
        else if (nr == 32) Kernel512(kc, a, b, c, ldc, add, relu);
        else Kernel128(kc, a, b, c, ldc, add, relu);
    }

    /// <summary>6×32 micro-kernel: 12 zmm accumulators; per k one broadcast of A per row and two loads of B. // (6,kc)·(kc,32)</summary>
    /// <remarks>k is unrolled by four, as in <see cref="Kernel256"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void Kernel512(int kc, float* a, float* b, float* c, int ldc, bool add, bool relu)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchC(c, ldc, 32);
        int p = 0;
        for (; p + 4 <= kc; p += 4, a += 24, b += 128)
        {
            Rank1x32(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x32(a + 6, b + 32, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x32(a + 12, b + 64, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x32(a + 18, b + 96, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }
        for (; p < kc; p++, a += 6, b += 32)
            Rank1x32(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        Store512(c, c00, c01, add, relu); Store512(c + ldc, c10, c11, add, relu); Store512(c + 2 * ldc, c20, c21, add, relu);
        Store512(c + 3 * ldc, c30, c31, add, relu); Store512(c + 4 * ldc, c40, c41, add, relu); Store512(c + 5 * ldc, c50, c51, add, relu);
    }

    /// <summary>One k step of the 6×32 tile: c[i] += a[i]·b for the six rows (inlined: the accumulators stay in
    /// registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Rank1x32(float* a, float* b, ref Vector512<float> c00, ref Vector512<float> c01, ref Vector512<float> c10,
        ref Vector512<float> c11, ref Vector512<float> c20, ref Vector512<float> c21, ref Vector512<float> c30, ref Vector512<float> c31,
        ref Vector512<float> c40, ref Vector512<float> c41, ref Vector512<float> c50, ref Vector512<float> c51)
    {
        var b0 = Vector512.Load(b);
        var b1 = Vector512.Load(b + 16);
        var a0 = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
        var a1 = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
        var a2 = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
        var a3 = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
        var a4 = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
        var a5 = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
    }

    /// <summary>
    /// Asks for the C tile's cache lines before the k loop, so the final load/store of C does not stall on a miss
    /// (C rows are far apart for large n and have usually left the caches since the previous k block).
    /// </summary>
    static void PrefetchC(float* c, int ldc, int nr)
    {
        if (!Sse.IsSupported) return;
        for (int i = 0; i < 6; i++) { Sse.Prefetch0(c + (long)i * ldc); Sse.Prefetch0(c + (long)i * ldc + nr - 1); }
    }

    static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, bool add, bool relu)
    {
        if (add) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + 16); }
        if (relu) { v0 = Vector512.Max(v0, Vector512<float>.Zero); v1 = Vector512.Max(v1, Vector512<float>.Zero); }
        v0.Store(c); v1.Store(c + 16);
    }

    /// <summary>6×16 micro-kernel for AVX2 machines: 12 ymm accumulators. // (6,kc)·(kc,16)</summary>
    /// <remarks>k is unrolled by four: one loop branch and counter update per 48 FMAs instead of per 12.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void Kernel256(int kc, float* a, float* b, float* c, int ldc, bool add, bool relu)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchC(c, ldc, 16);
        int p = 0;
        for (; p + 4 <= kc; p += 4, a += 24, b += 64)
        {
            Rank1x16(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x16(a + 6, b + 16, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x16(a + 12, b + 32, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x16(a + 18, b + 48, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }
        for (; p < kc; p++, a += 6, b += 16)
            Rank1x16(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        Store256(c, c00, c01, add, relu); Store256(c + ldc, c10, c11, add, relu); Store256(c + 2 * ldc, c20, c21, add, relu);
        Store256(c + 3 * ldc, c30, c31, add, relu); Store256(c + 4 * ldc, c40, c41, add, relu); Store256(c + 5 * ldc, c50, c51, add, relu);
    }

    /// <summary>One k step of the 6×16 tile: c[i] += a[i]·b for the six rows (inlined: the accumulators stay in
    /// registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Rank1x16(float* a, float* b, ref Vector256<float> c00, ref Vector256<float> c01, ref Vector256<float> c10,
        ref Vector256<float> c11, ref Vector256<float> c20, ref Vector256<float> c21, ref Vector256<float> c30, ref Vector256<float> c31,
        ref Vector256<float> c40, ref Vector256<float> c41, ref Vector256<float> c50, ref Vector256<float> c51)
    {
        var b0 = Vector256.Load(b);
        var b1 = Vector256.Load(b + 8);
        var a0 = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
        var a1 = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
        var a2 = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
        var a3 = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
        var a4 = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
        var a5 = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
    }

    static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, bool add, bool relu)
    {
        if (add) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + 8); }
        if (relu) { v0 = Vector256.Max(v0, Vector256<float>.Zero); v1 = Vector256.Max(v1, Vector256<float>.Zero); }
        v0.Store(c); v1.Store(c + 8);
    }

    /// <summary>
    /// 6×8 micro-kernel for machines whose widest accelerated vector is 128 bits (Arm64): 12 accumulators, which fit
    /// the 16 registers of x64 as well as Arm64's 32. // (6,kc)·(kc,8)
    /// </summary>
    /// <remarks>k is unrolled by four, as in <see cref="Kernel256"/>; each output is the same chain of FMAs in k order, so
    /// the three widths give the same bits.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void Kernel128(int kc, float* a, float* b, float* c, int ldc, bool add, bool relu)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        PrefetchC(c, ldc, 8);
        int p = 0;
        for (; p + 4 <= kc; p += 4, a += 24, b += 32)
        {
            Rank1x8(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x8(a + 6, b + 8, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x8(a + 12, b + 16, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Rank1x8(a + 18, b + 24, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }
        for (; p < kc; p++, a += 6, b += 8)
            Rank1x8(a, b, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        Store128(c, c00, c01, add, relu); Store128(c + ldc, c10, c11, add, relu); Store128(c + 2 * ldc, c20, c21, add, relu);
        Store128(c + 3 * ldc, c30, c31, add, relu); Store128(c + 4 * ldc, c40, c41, add, relu); Store128(c + 5 * ldc, c50, c51, add, relu);
    }

    /// <summary>One k step of the 6×8 tile: c[i] += a[i]·b for the six rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Rank1x8(float* a, float* b, ref Vector128<float> c00, ref Vector128<float> c01, ref Vector128<float> c10,
        ref Vector128<float> c11, ref Vector128<float> c20, ref Vector128<float> c21, ref Vector128<float> c30, ref Vector128<float> c31,
        ref Vector128<float> c40, ref Vector128<float> c41, ref Vector128<float> c50, ref Vector128<float> c51)
    {
        var b0 = Vector128.Load(b);
        var b1 = Vector128.Load(b + 4);
        var a0 = Vector128.Create(a[0]); c00 = Vector128.FusedMultiplyAdd(a0, b0, c00); c01 = Vector128.FusedMultiplyAdd(a0, b1, c01);
        var a1 = Vector128.Create(a[1]); c10 = Vector128.FusedMultiplyAdd(a1, b0, c10); c11 = Vector128.FusedMultiplyAdd(a1, b1, c11);
        var a2 = Vector128.Create(a[2]); c20 = Vector128.FusedMultiplyAdd(a2, b0, c20); c21 = Vector128.FusedMultiplyAdd(a2, b1, c21);
        var a3 = Vector128.Create(a[3]); c30 = Vector128.FusedMultiplyAdd(a3, b0, c30); c31 = Vector128.FusedMultiplyAdd(a3, b1, c31);
        var a4 = Vector128.Create(a[4]); c40 = Vector128.FusedMultiplyAdd(a4, b0, c40); c41 = Vector128.FusedMultiplyAdd(a4, b1, c41);
        var a5 = Vector128.Create(a[5]); c50 = Vector128.FusedMultiplyAdd(a5, b0, c50); c51 = Vector128.FusedMultiplyAdd(a5, b1, c51);
    }

    static void Store128(float* c, Vector128<float> v0, Vector128<float> v1, bool add, bool relu)
    {
        if (add) { v0 += Vector128.Load(c); v1 += Vector128.Load(c + 4); }
        if (relu) { v0 = Vector128.Max(v0, Vector128<float>.Zero); v1 = Vector128.Max(v1, Vector128<float>.Zero); }
        v0.Store(c); v1.Store(c + 4);
    }
}
