using Sinapse.Kernels;
using Sinapse.Training;

namespace Sinapse.Optimizers;

/// <summary>
/// Base of the gradient-descent optimizers. <see cref="Step"/> updates every parameter in place from its
/// <see cref="Tensor.Grad"/> (parameters without a gradient are skipped); state buffers are allocated once.
/// </summary>
public abstract class Optimizer : IStateful
{
    protected readonly Tensor[] Params;

    /// <summary>The learning rate η; schedulers change it between epochs.</summary>
    public float LearningRate { get; set; }

    /// <summary>Number of steps taken.</summary>
    public int StepCount { get; private set; }

    readonly List<(string Name, float[]?[] Buffers)> slots = new();

    protected Optimizer(IEnumerable<Tensor> parameters, float lr)
    {
        Params = parameters.ToArray();
        if (Params.Length == 0) throw new ArgumentException($"{GetType().Name}: no parameters to optimise.");
        if (!(lr >= 0)) throw new ArgumentOutOfRangeException(nameof(lr), lr, $"{GetType().Name}: learning rate must be non-negative.");
        foreach (var p in Params)
            if (!p.IsContiguous) throw new ArgumentException($"{GetType().Name}: parameters must be contiguous tensors.");
        LearningRate = lr;
        // Everything training will keep is allocated now, long-lived, rather than in its first step.
        foreach (var p in Params) p.ReserveGrad();
        largest = Params.Max(p => p.Numel);
    }

    /// <summary>
    /// Zeroes all gradients, keeping their buffers for the next backward pass (no allocation); with
    /// <paramref name="setToNone"/> the gradients are dropped instead (<see cref="Tensor.Grad"/> becomes null).
    /// </summary>
    /// <remarks>
    /// The zeroing is lazy: reading <see cref="Tensor.Grad"/> afterwards gives zeros, and a Linear layer's backward
    /// writes its gradient over the old values instead of adding to zeros, which saves two passes over the weights'
    /// size per step. A gradient tensor fetched before ZeroGrad and held on to therefore shows its old values until
    /// Grad is read again or the next backward pass writes the new gradient into the same buffer.
    /// </remarks>
    public void ZeroGrad(bool setToNone = false)
    {
        synchronized = false;
        GradUtil.Zero(Params, setToNone);
    }

    /// <summary>
    /// Applies one update. On several threads (<see cref="Settings.Threads"/>) each large parameter is cut into one
    /// contiguous slice per thread of the worker team, and each thread updates its slices: the update streams the
    /// weights, the gradient and the state once, so two cores move twice the bytes. The arithmetic of every element
    /// is the same as on one thread, so the results are bit-identical.
    /// </summary>
    public void Step()
    {
        SynchronizeGradients();
        synchronized = false;
        StepCount++;
        foreach (var p in Params) if (p.RawGrad != null) p.BumpVersion();
        using var _ = Autograd.NoGrad();
        int threads = Settings.Threads;
        if (threads > 1 && ElementWise && largest >= ParallelMinElements && GradsReadyForThreads())
        {
            var job = stepJob ??= new StepJob(this);
            if (WorkerPool.TryRun(job, threads)) return;
        }
        UpdateSlices(0, 1);
    }

    /// <summary>
    /// In data-parallel training (<see cref="DataParallel"/>), waits until every gradient is the average over all
    /// processes; <see cref="Step"/> does it first, so call it only to read the averaged gradients before the step
    /// (to clip them, say). Once per step; without a group of processes it does nothing.
    /// </summary>
    public void SynchronizeGradients()
    {
        if (Group is { } g && !synchronized)
        {
            g.Reduce(this);
            synchronized = true;
        }
    }

    /// <summary>The data-parallel group averaging this optimizer's gradients, or null.</summary>
    internal DataParallel? Group { get; set; }
    bool synchronized; // since the last ZeroGrad or Step

    /// <summary>The parameters this optimizer updates.</summary>
    internal IReadOnlyList<Tensor> Parameters => Params;

    /// <summary>
    /// Parameters of fewer elements are updated by one thread. Not tuned on its own: an element-wise pass over 64k
    /// floats was measured at 40 µs on one thread and 33 µs on two, and an optimizer update moves 3–5 times the bytes
    /// of such a pass per element, so slicing pays from well below 64k.
    /// </summary>
    const int ParallelMinElements = 16 * 1024;

    /// <summary>
    /// Whether <see cref="Update"/> treats every element on its own (true for all optimizers here), so that a
    /// parameter may be updated in slices. An optimizer whose update needs a whole parameter at once (a norm, say)
    /// returns false and is always given whole parameters.
    /// </summary>
    protected virtual bool ElementWise => true;

    readonly int largest;
    StepJob? stepJob;

    /// <summary>
    /// Reads every gradient on this thread, so that a lazily zeroed one is cleared here before the team shares it,
    /// and tells whether all are contiguous (the team reads them as spans).
    /// </summary>
    bool GradsReadyForThreads()
    {
        bool ready = true;
        foreach (var p in Params) if (p.Grad is { IsContiguous: false }) ready = false;
        return ready;
    }

    /// <summary>Thread <paramref name="t"/> of <paramref name="threads"/> updates its slice of every large parameter; thread 0 also the small ones.</summary>
    void UpdateSlices(int t, int threads)
    {
        for (int i = 0; i < Params.Length; i++)
        {
            var p = Params[i];
            if (p.Grad == null) continue;
            var g = p.Grad.IsContiguous ? p.Grad : p.Grad.Contiguous();
            int n = p.Numel, start = 0, end = n;
            if (threads > 1)
            {
                if (n < ParallelMinElements) { if (t != 0) continue; }
                else
                {
                    // Slice ends on multiples of 16, so each vector loop sees the same lanes as on one thread.
                    start = (int)((long)n * t / threads) & ~15;
                    end = t == threads - 1 ? n : (int)((long)n * (t + 1) / threads) & ~15;
                }
            }
            if (end > start) Update(i, start, p.Span[start..end], g.Span[start..end]);
        }
    }

    sealed class StepJob(Optimizer owner) : ITeamJob
    {
        public void Execute(int thread, int threads) => owner.UpdateSlices(thread, threads);
    }

    /// <summary>
    /// Updates elements [<paramref name="offset"/>, offset + w.Length) of parameter <paramref name="index"/>: their
    /// values <paramref name="w"/> and gradient <paramref name="g"/>. Per-element state is read at the same offset
    /// (<see cref="State(float[][], int, int, int)"/>). Called with the whole parameter (offset 0) unless the
    /// optimizer is <see cref="ElementWise"/>, in which case disjoint slices may be updated on different threads at once.
    /// </summary>
    protected abstract void Update(int index, int offset, Span<float> w, ReadOnlySpan<float> g);

    /// <summary>
    /// Zero-filled state buffers named <paramref name="name"/> (PyTorch's, e.g. "exp_avg"), one per parameter,
    /// allocated now (long-lived, like the pool's), and saved by <see cref="SaveState"/>.
    /// </summary>
    protected float[]?[] NewState(string name)
    {
        var buffers = Array.ConvertAll(Params, p => (float[]?)BufferPool.LongLived(p.Numel));
        slots.Add((name, buffers));
        return buffers;
    }

    /// <summary>Saves the step count, the learning rate and every state buffer (slot.parameter index) under <paramref name="prefix"/>.</summary>
    public void SaveState(TrainingState state, string prefix)
    {
        state.Set(prefix + "step", StepCount);
        state.Set(prefix + "lr", LearningRate);
        foreach (var (name, buffers) in slots)
            for (int i = 0; i < buffers.Length; i++)
                if (buffers[i] is float[] b) state.SetArray($"{prefix}{name}.{i}", b);
    }

    /// <summary>Restores what <see cref="SaveState"/> saved, into an optimizer of the same kind over the same parameters.</summary>
    public void LoadState(TrainingState state, string prefix)
    {
        StepCount = checked((int)state.GetLong(prefix + "step"));
        LearningRate = state.GetFloat(prefix + "lr");
        foreach (var (name, buffers) in slots)
            for (int i = 0; i < buffers.Length; i++)
                if (buffers[i] is float[] b) state.CopyArray($"{prefix}{name}.{i}", b);
    }

    /// <summary>
    /// Elements [<paramref name="offset"/>, offset + <paramref name="length"/>) of parameter <paramref name="index"/>'s
    /// state buffer (zero-filled, allocated on first use if <see cref="NewState"/> did not).
    /// </summary>
    protected Span<float> State(float[]?[] states, int index, int offset, int length)
    {
        // Updates of one step may run on several threads: each must see one buffer, so a lazy one is created under a lock.
        var s = states[index];
        if (s == null) lock (states) s = states[index] ??= BufferPool.LongLived(Params[index].Numel);
        return s.AsSpan(offset, length);
    }
}
