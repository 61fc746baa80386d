using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

/// <summary>
/// The vector width the kernels use: 512 bits where the hardware accelerates Vector512 (AVX-512), 256 where it
/// accelerates Vector256 (AVX2), 128 where it accelerates only Vector128 (Arm64's NEON), otherwise 0 (scalar loops).
/// Every kernel with a Vector512, Vector256 and scalar path reads it here once per call, so that a test can run each
/// path on any machine: a narrower width than the hardware's, or 512 on an AVX2 machine, where .NET computes
/// Vector512 in software (the same results per lane). At 128 bits the GEMM runs its Vector128 micro-kernel and the
/// other kernels their scalar loops.
/// </summary>
internal static class SimdWidth
{
    /// <summary>What the hardware accelerates: 512, 256, 128 or 0.</summary>
    public static readonly int Hardware = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256
        : Vector128.IsHardwareAccelerated ? 128 : 0;

    static int bits = Hardware;

    /// <summary>
    /// The width in use (512, 256, 128 or 0); set by tests only. Packed weights, whose layout follows the width, remember
    /// the width they were made for and are rebuilt when it changes.
    /// </summary>
    public static int Bits
    {
        get => bits;
        set
        {
            if (value is not (0 or 128 or 256 or 512)) throw new ArgumentOutOfRangeException(nameof(value), value, "SIMD width must be 0, 128, 256 or 512 bits.");
            bits = value;
        }
    }

    /// <summary>Whether the Vector512 paths run.</summary>
    public static bool Use512 => bits == 512;

    /// <summary>Whether the Vector256 or Vector512 paths run (Vector256 where a kernel has no Vector512 one).</summary>
    public static bool UseVectors => bits >= 256;

    /// <summary>Whether the GEMM runs its Vector128 micro-kernel (the other kernels then run their scalar loops).</summary>
    public static bool Use128 => bits == 128;
}
