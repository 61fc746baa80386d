using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

/// <summary>
/// The vector width the kernels use: 512 bits where the hardware accelerates Vector512 (AVX-512), 256 where it
/// accelerates Vector256 (AVX2), otherwise 0 (scalar loops). Every kernel with a Vector512, Vector256 and scalar path
/// reads it here once per call, so that a test can run each path on any machine: a narrower width than the
/// hardware's, or 512 on an AVX2 machine, where .NET computes Vector512 in software (the same results per lane).
/// </summary>
internal static class SimdWidth
{
    /// <summary>What the hardware accelerates: 512, 256 or 0.</summary>
    public static readonly int Hardware = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 0;

    static int bits = Hardware;

    /// <summary>
    /// The width in use (512, 256 or 0). Setting it (tests only) counts as an in-place write, so cached packed weights,
    /// whose layout follows the width, are rebuilt.
    /// </summary>
    public static int Bits
    {
        get => bits;
        set
        {
            if (value is not (0 or 256 or 512)) throw new ArgumentOutOfRangeException(nameof(value), value, "SIMD width must be 0, 256 or 512 bits.");
            bits = value;
            Tensor.NoteInPlaceWrite();
        }
    }

    /// <summary>Whether the Vector512 paths run.</summary>
    public static bool Use512 => bits == 512;

    /// <summary>Whether any vector path runs (Vector256 where there is no Vector512 one).</summary>
    public static bool UseVectors => bits != 0;
}
