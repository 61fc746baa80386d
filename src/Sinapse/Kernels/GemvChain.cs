using System.Runtime.CompilerServices;

namespace Sinapse.Kernels;

/// <summary>One fully connected layer of a <see cref="Gemm.GemvChain"/>: y = W·x + b, then ReLU when asked.</summary>
/// <param name="N">Outputs.</param>
/// <param name="K">Inputs.</param>
/// <param name="Packed">W packed by <see cref="PackedWeights"/>, or null: then W itself is read.</param>
/// <param name="W">The weight's storage, row-major (rows K apart) from <paramref name="WOffset"/>.</param>
/// <param name="WOffset">Where W starts in its storage.</param>
/// <param name="Bias">The bias's storage, or null for none.</param>
/// <param name="BiasOffset">Where the bias starts in its storage.</param>
/// <param name="Relu">Whether a ReLU follows the layer.</param>
internal readonly record struct ChainLayer(int N, int K, float[]? Packed, float[] W, int WOffset, float[]? Bias, int BiasOffset, bool Relu);

public static unsafe partial class Gemm
{
    /// <summary>
    /// A single sample through a chain of fully connected layers in one team job: each thread computes its share of a
    /// layer's outputs, the team meets at a barrier, and goes on to the next layer. Every output is computed by the same
    /// kernel, in the same order, as by one <see cref="PackedGemv"/> or <see cref="Multiply(int, int, int, Operand, Operand, float[], int, int, bool, bool)"/> per layer, so the
    /// result is bit-identical to the layer-by-layer forward; what it saves is the tensor bookkeeping between layers,
    /// which runs on metadata the weight stream has just evicted from cache. One forward at a time uses an instance.
    /// </summary>
    internal sealed class GemvChain : ITeamJob
    {
        readonly ChainLayer[] layers;
        readonly float[][] hidden;
        readonly SpinBarrier barrier = new();
        /// <summary>A chain of small layers only runs on the calling thread (each of them would, on its own).</summary>
        readonly bool parallel;
        /// <summary>
        /// A small last layer after a packed one: on two threads each thread sums it over the inputs its own share of
        /// the packed layer produced (the halves of <see cref="DotSplit"/>), with no barrier in between; the caller adds
        /// the worker's part after the join. Null when the chain does not end so.
        /// </summary>
        readonly float[]? lastPart;
        bool reverse;
        float[] x = null!, y = null!; int xOffset;

        public GemvChain(ChainLayer[] layers)
        {
            this.layers = layers;
            hidden = layers[..^1].Select(L => new float[L.N]).ToArray();
            foreach (var L in layers) parallel |= L.Packed != null || !Alone(L);
            var last = layers[^1];
            if (layers.Length >= 2 && layers[^2].Packed != null && last.Packed == null && Alone(last) && DotSplit(last.K) > 0)
                lastPart = new float[last.N];
        }

        /// <summary>y[0..N of the last layer) from x[xOffset..xOffset + K of the first).</summary>
        public void Run(float[] x, int xOffset, float[] y)
        {
            this.x = x; this.xOffset = xOffset; this.y = y;
            // Alternate sweeps run backwards and start on the weights the previous call left in L2 (see NextDirection).
            reverse = !reverse;
            try
            {
                int threads = Settings.Threads;
                if (threads > 1 && parallel && WorkerPool.TryRun(this, threads))
                {
                    if (SplitsLast(threads)) AddLastPart();
                    return;
                }
                Execute(0, 1);
            }
            finally { this.x = null!; this.y = null!; }
        }

        /// <summary>A small layer runs on the calling thread alone, as <see cref="Gemv"/> runs it.</summary>
        static bool Alone(in ChainLayer L) => (long)L.N * L.K < GemvParallelMinWork;

        /// <summary>Whether a team of <paramref name="threads"/> splits the last layer by its inputs (see <see cref="lastPart"/>).</summary>
        bool SplitsLast(int threads) => lastPart != null && threads == 2;

        /// <summary>y += the worker's part of the last layer (the second half of its inputs), then its ReLU.</summary>
        void AddLastPart()
        {
            var L = layers[^1];
            for (int j = 0; j < L.N; j++) y[j] += lastPart![j];
            if (L.Relu) System.Numerics.Tensors.TensorPrimitives.Max(y.AsSpan(0, L.N), 0f, y.AsSpan(0, L.N));
        }

        public void Execute(int t, int threads)
        {
            float[] input = x; int inOffset = xOffset;
            bool splitLast = SplitsLast(threads);
            for (int l = 0; l < layers.Length; l++)
            {
                var L = layers[l];
                if (l == layers.Length - 1 && splitLast) { LastHalf(t, L, input); return; }
                float[] output = l == layers.Length - 1 ? y : hidden[l];
                fixed (float* px = input, py = output, pb = L.Bias)
                {
                    float* bias = pb == null ? null : pb + L.BiasOffset;
                    if (L.Packed != null)
                        fixed (float* pw = L.Packed) PackedRows(t, threads, L.N, L.K, PackedWeights.Start(pw), px + inOffset, bias, py, L.Relu, reverse);
                    else
                    {
                        // Small layers as Gemv runs them: on the calling thread alone below the parallel threshold.
                        bool alone = Alone(L);
                        if (!alone || t == 0)
                            fixed (float* pw = L.W)
                                DotShare(alone ? 0 : t, alone ? 1 : threads, L.N, L.K, px + inOffset, pw + L.WOffset, bias, py, L.Relu, reverse);
                    }
                }
                if (l < layers.Length - 1 && !(l == layers.Length - 2 && splitLast)) barrier.Wait(threads);
                input = output; inOffset = 0;
            }
        }

        /// <summary>
        /// Thread t's half of the small last layer, summed over the inputs that t itself produced: the caller writes
        /// y = b + W[:, ..h]·x[..h], the worker its W[:, h..]·x[h..] into <see cref="lastPart"/> (the order in which
        /// <see cref="SplitDot"/> adds them). // (N, K)·(K)
        /// </summary>
        void LastHalf(int t, ChainLayer L, float[] input)
        {
            int h = DotSplit(L.K);
            fixed (float* px = input, pw = L.W, pb = L.Bias, py = y, part = lastPart)
            {
                float* w = pw + L.WOffset;
                if (t == 0)
                {
                    if (pb != null) new Span<float>(pb + L.BiasOffset, L.N).CopyTo(new Span<float>(py, L.N));
                    DotColumns(h, px, w, L.K, py, 0, L.N, pb != null, reverse);
                }
                else DotColumns(L.K - h, px + h, w + h, L.K, part, 0, L.N, false, reverse);
            }
        }
    }
}
