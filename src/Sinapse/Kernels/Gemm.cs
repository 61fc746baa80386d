using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sinapse.Kernels;

/// <summary>
/// Single-precision GEMM, C (+)= A·B, in the Goto/BLIS style: B is packed into NR-wide column panels (kc×NR),
/// A into MR-high row panels (MR×kc), and a register-tiled FMA micro-kernel computes MR×NR tiles of C.
/// Operands are read through arbitrary (row, column) strides, so transposed views cost nothing extra: the
/// packing step absorbs the layout. On several threads the team packs each large kc×nc block of B once, together,
/// into a shared buffer (a small one, each thread for itself) and then splits the rows of C; every output element
/// is computed by exactly one thread in the same order as on one thread, so results are bit-identical for any
/// thread count.
/// </summary>
/// <remarks>
/// Blocking: a kc×NR panel of B (16 KiB at NR = 16) stays in L1 while the MC×kc block of A (≈144 KiB) streams from
/// L2; the kc×NC block of B (3 MiB) lives in L3. k is cut into equal blocks of at most KC so that no thin last block
/// pays the C load/store for little work.
/// </remarks>
public static unsafe partial class Gemm
{
    const int MR = 6;
    const int KC = 256;
    const int MC = 144;
    const int NC = 3072;
    /// <summary>
    /// Below this many multiply-adds a product runs on the calling thread only. Measured on the 2-core VM: two threads
    /// win from 64³ = 2¹⁸ (8.4 → 7.5 µs) and lose below (48³: 3.3 → 4.2 µs).
    /// </summary>
    const long ParallelMinWork = 1 << 18;
    /// <summary>
    /// A kc×nc block of B up to this size is packed by each thread for itself (see <see cref="Blocked"/>). Measured on
    /// two threads, paired against the shared block in one process (30 rounds): n = 256 +22%, n = 512 +8% (median),
    /// n = 768 (above the limit) unchanged.
    /// </summary>
    const long PrivateBMaxBytes = 512 * 1024;
    static bool Use512 => SimdWidth.Use512;
    /// <summary>The Vector256/Vector512 paths: the matrix-vector kernels and the packed inference weights need them.</summary>
    static bool UseSimd => SimdWidth.UseVectors;
    /// <summary>Panel width: two vectors of the width in use (the blocked product runs at 128 bits too).</summary>
    static int NR => Use512 ? 32 : SimdWidth.Use128 ? 8 : 16;

    /// <summary>A matrix operand: storage, offset of element (0,0), row stride and column stride.</summary>
    public readonly record struct Operand(float[] Data, int Offset, int RowStride, int ColStride);

    /// <summary>
    /// C[m×n] = A[m×k]·B[k×n] (+ C when <paramref name="accumulate"/>). C is row-major with leading dimension ldc.
    /// With <paramref name="relu"/> the final result is clamped at 0 as it is stored (a fused ReLU epilogue: no
    /// extra pass over C).
    /// </summary>
    public static void Multiply(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset, int ldc, bool accumulate, bool relu = false) =>
        Multiply(m, n, k, a, b, c, cOffset, ldc, accumulate, relu, prepackedB: null);

    /// <summary>
    /// As <see cref="Multiply(int, int, int, Operand, Operand, float[], int, int, bool, bool)"/>, with B already packed
    /// by <see cref="PrepackB"/> (on the pinned heap): the product reads its blocks instead of packing them.
    /// </summary>
    /// <remarks>
    /// With <paramref name="rowsAlike"/> a single row (m = 1) also runs through the packed micro-kernel, not the
    /// matrix-vector product, so that a row's sums are in the same order whatever m is: a Linear layer gives a sample
    /// the same output alone as in a batch.
    /// </remarks>
    internal static void Multiply(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset, int ldc, bool accumulate, bool relu, float[]? prepackedB, bool rowsAlike = false)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.AsSpan(cOffset + i * ldc, n);
                if (!accumulate) row.Clear();
                else if (relu) System.Numerics.Tensors.TensorPrimitives.Max(row, 0f, row);
            }
            return;
        }
        if (SimdWidth.Bits == 0) { Naive(m, n, k, a, b, c, cOffset, ldc, accumulate, relu); return; }
        if (m == 1 && UseSimd && !rowsAlike) { Gemv(n, k, a, b, c, cOffset, accumulate, relu); return; }

        var p = new Problem(m, n, k, a, b, c, cOffset, ldc, accumulate, relu, prepackedB);
        int threads = Settings.Threads;
        if (threads > 1 && (long)m * n * k >= ParallelMinWork)
        {
            var job = GemmJob.ForThisThread();
            job.Problem = p;
            job.SharedB = Scratch.ForThisThread().B;
            job.Work.Rows = 0;
            try { if (WorkerPool.TryRun(job, threads)) return; }
            finally { job.Problem = default; }
        }
        fixed (float* pa = a.Data, pb = b.Data, pc = c, pre = p.PrepackedB)
            Blocked(p, pa, pb, pc, pre, 0, 1, Scratch.ForThisThread().B, null, null);
    }

    /// <summary>One product, with the raw operands pinned by the caller.</summary>
    internal readonly record struct Problem(int M, int N, int K, Operand A, Operand B, float[] C, int COffset, int Ldc, bool Accumulate, bool Relu, float[]? PrepackedB);

    /// <summary>
    /// Thread <paramref name="t"/> of <paramref name="threads"/>. For every kc×nc block of B, the team packs its panels
    /// into <paramref name="sharedB"/> (each thread a contiguous share), meets at the barrier, computes blocks of rows
    /// of C, and meets again. Row blocks are handed out from a shared counter, shrinking towards the end of each phase,
    /// so a core that the VM deschedules for a while simply takes fewer of them instead of making the other wait at the
    /// barrier.
    /// Which thread computes a block, and how many rows the block has, does not change the arithmetic of any element:
    /// results stay bit-identical.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void Blocked(in Problem p, float* aData, float* bData, float* cData, float* prepacked, int t, int threads, float* sharedB, SpinBarrier? barrier, WorkCounters? work)
    {
        int nr = NR, m = p.M, n = p.N, k = p.K;
        float* pa = Scratch.ForThisThread().A;
        int kBlocks = (k + KC - 1) / KC, kcStd = (k + kBlocks - 1) / kBlocks;
        long rowBase = 0;
        // A small B block is packed by every thread into its own buffer: it then stays in that core's L2 for all its
        // row blocks, rather than half of it coming from the other core's cache for each, and no barrier is needed
        // between packing and computing. Larger blocks are packed once, together, into the shared buffer.
        bool privateB = work != null && (long)Math.Min(kcStd, k) * ((Math.Min(NC, n) + nr - 1) / nr * nr) * sizeof(float) <= PrivateBMaxBytes;
        float* pb = privateB ? Scratch.ForThisThread().B : sharedB;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc), panels = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += kcStd)
            {
                int kc = Math.Min(kcStd, k - pc);
                bool add = p.Accumulate || pc > 0, relu = p.Relu && pc + kc == k;
                // A shared block: each thread packs its own contiguous share of the panels (still in its L2 after the
                // barrier) and sweeps the panels from that share onwards, so it reads the other core's share last.
                bool sharedBlock = work != null && !privateB;
                int ownPanel = sharedBlock ? panels * t / threads : 0;
                if (prepacked != null) pb = prepacked + PrepackedOffset(jc, pc, k, panels * nr);
                else if (!sharedBlock) PackB(p.B, bData, pc, jc, kc, nc, nr, pb, 0, panels);
                else
                {
                    PackB(p.B, bData, pc, jc, kc, nc, nr, pb, ownPanel, panels * (t + 1) / threads);
                    barrier?.Wait(threads);
                }
                if (work == null)
                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        PackA(p.A, aData, ic, pc, mc, kc, pa);
                        Macro(mc, nc, kc, nr, pa, pb, cData + p.COffset + (long)ic * p.Ldc + jc, p.Ldc, add, relu);
                    }
                else
                {
                    // Guided scheduling: rows are claimed from a shared counter in shrinking pieces, about half of
                    // what is left divided among the threads (at most MC, at least MR), so the threads run out of work
                    // within a few small pieces of each other. The counter only grows: this phase owns
                    // [rowBase, rowBase + m), and the barrier at its end keeps the next phase from starting early.
                    for (long end = rowBase + m; ;)
                    {
                        long cur = Volatile.Read(ref work.Rows);
                        if (cur >= end) break;
                        int left = (int)(end - cur);
                        int mc = Math.Min(left, Math.Clamp((left + 2 * threads - 1) / (2 * threads) + MR - 1, MR, MC) / MR * MR);
                        if (Interlocked.CompareExchange(ref work.Rows, cur + mc, cur) != cur) continue;
                        int ic = (int)(cur - rowBase);
                        PackA(p.A, aData, ic, pc, mc, kc, pa);
                        Macro(mc, nc, kc, nr, pa, pb, cData + p.COffset + (long)ic * p.Ldc + jc, p.Ldc, add, relu, ownPanel * nr);
                    }
                    rowBase += m;
                }
                barrier?.Wait(threads);
            }
        }
    }

    /// <summary>The shared hand-out counter of one team product.</summary>
    sealed class WorkCounters
    {
        public long Rows;
    }

    /// <summary>
    /// All MR×NR tiles of one packed mc×kc block of A against one packed kc×nc block of B, the panels taken from column
    /// <paramref name="jStart"/> onwards and then from 0. // (mc,kc)·(kc,nc)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first call: no tier-0 code in a timed loop
    static void Macro(int mc, int nc, int kc, int nr, float* pa, float* pb, float* c, int ldc, bool add, bool relu, int jStart = 0)
    {
        float* tile = stackalloc float[MR * 32];
        int ncPadded = (nc + nr - 1) / nr * nr;
        for (int jq = 0; jq < nc; jq += nr)
        {
            int jr = jq + jStart;
            if (jr >= ncPadded) jr -= ncPadded; // the panels before jStart come last
            int nn = Math.Min(nr, nc - jr);
            float* bp = pb + jr * kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mm = Math.Min(MR, mc - ir);
                float* ap = pa + ir * kc;
                float* cp = c + (long)ir * ldc + jr;
                if (mm == MR && nn == nr)
                {
                    Kernel(nr, kc, ap, bp, cp, ldc, add, relu);
                    continue;
                }
                // Edge tile: the same kernel into a scratch tile (packing zero-padded A and B), then the valid part.
                Kernel(nr, kc, ap, bp, tile, nr, false, false);
                for (int i = 0; i < mm; i++)
                {
                    float* dst = cp + (long)i * ldc, src = tile + i * nr;
                    if (add) for (int j = 0; j < nn; j++) dst[j] += src[j];
                    else for (int j = 0; j < nn; j++) dst[j] = src[j];
                    if (relu) for (int j = 0; j < nn; j++) dst[j] = MathF.Max(dst[j], 0f);
                }
            }
        }
    }

    static void Naive(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset, int ldc, bool accumulate, bool relu)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++)
                    s += a.Data[a.Offset + i * a.RowStride + p * a.ColStride] * b.Data[b.Offset + p * b.RowStride + j * b.ColStride];
                ref float dst = ref c[cOffset + i * ldc + j];
                dst = accumulate ? dst + s : s;
                if (relu) dst = MathF.Max(dst, 0f);
            }
    }

    /// <summary>Per-thread packing buffers, 64-byte aligned native memory, freed when the thread ends.</summary>
    sealed class Scratch
    {
        [ThreadStatic] static Scratch? local;
        public readonly float* A = (float*)NativeMemory.AlignedAlloc((nuint)((MC * KC + 8) * sizeof(float)), 64); // +8: PackRowPanel's overhang
        public readonly float* B = (float*)NativeMemory.AlignedAlloc((nuint)(KC * NC * sizeof(float)), 64);
        public static Scratch ForThisThread() => local ??= new Scratch();
        ~Scratch() { NativeMemory.AlignedFree(A); NativeMemory.AlignedFree(B); }
    }

    /// <summary>A product split over the worker team, with the packed B block they share.</summary>
    sealed class GemmJob : ITeamJob
    {
        [ThreadStatic] static GemmJob? local;
        readonly SpinBarrier barrier = new();
        public readonly WorkCounters Work = new();
        public Problem Problem;
        public static GemmJob ForThisThread() => local ??= new GemmJob();

        /// <summary>The B block all threads of this job pack into and read: the calling thread's scratch.</summary>
        public float* SharedB;

        public void Execute(int thread, int threads)
        {
            var p = Problem;
            fixed (float* pa = p.A.Data, pb = p.B.Data, pc = p.C, pre = p.PrepackedB)
                Blocked(p, pa, pb, pc, pre, thread, threads, SharedB, barrier, Work);
        }
    }
}
