namespace Sinapse;

/// <summary>
/// A seeded pseudo-random generator (xoshiro128**, seeded through SplitMix64). The same seed gives the same
/// sequence on every machine, which makes weights, shuffles and dropout masks reproducible.
/// </summary>
public sealed class Generator
{
    uint s0, s1, s2, s3;
    float? spareNormal;

    /// <summary>The generator used when none is passed explicitly. Reseed it with <see cref="ManualSeed"/>.</summary>
    public static Generator Default { get; private set; } = new(0);

    /// <summary>Reseeds the default generator (like torch.manual_seed).</summary>
    public static void ManualSeed(ulong seed) => Default = new Generator(seed);

    public Generator(ulong seed)
    {
        ulong z = seed;
        ulong Next() { z += 0x9E3779B97F4A7C15UL; ulong r = z; r = (r ^ (r >> 30)) * 0xBF58476D1CE4E5B9UL; r = (r ^ (r >> 27)) * 0x94D049BB133111EBUL; return r ^ (r >> 31); }
        ulong a = Next(), b = Next();
        s0 = (uint)a; s1 = (uint)(a >> 32); s2 = (uint)b; s3 = (uint)(b >> 32);
        if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt()
    {
        uint result = BitOps.RotateLeft(s1 * 5, 7) * 9;
        uint t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
        s3 = BitOps.RotateLeft(s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 bits of precision.</summary>
    public float NextFloat() => (NextUInt() >> 8) * (1f / 16777216f);

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "NextInt: n must be positive.");
        return (int)((ulong)NextUInt() * (ulong)n >> 32);
    }

    /// <summary>Standard normal sample (Box–Muller, pairs cached).</summary>
    public float NextNormal()
    {
        if (spareNormal is float s) { spareNormal = null; return s; }
        double u1 = 1.0 - (NextUInt() >> 8) * (1.0 / 16777216.0); // (0, 1]
        double u2 = (NextUInt() >> 8) * (1.0 / 16777216.0);
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = (float)(r * Math.Sin(2 * Math.PI * u2));
        return (float)(r * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>A random permutation of 0..n−1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) { int j = NextInt(i + 1); (p[i], p[j]) = (p[j], p[i]); }
        return p;
    }

    /// <summary>
    /// The generator's whole state (six words: the four of xoshiro128** and the cached normal), to save in a
    /// checkpoint; <see cref="SetState"/> continues the sequence exactly where it was.
    /// </summary>
    public uint[] GetState() =>
        [s0, s1, s2, s3, spareNormal.HasValue ? 1u : 0u, spareNormal is float f ? BitConverter.SingleToUInt32Bits(f) : 0u];

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<uint> state)
    {
        if (state.Length != 6 || (state[0] | state[1] | state[2] | state[3]) == 0)
            throw new ArgumentException($"Generator.SetState: expected the 6 words of GetState (not all of the first four zero), got {state.Length}.");
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3]);
        spareNormal = state[4] != 0 ? BitConverter.UInt32BitsToSingle(state[5]) : null;
    }

    static class BitOps
    {
        public static uint RotateLeft(uint x, int k) => (x << k) | (x >> (32 - k));
    }
}
