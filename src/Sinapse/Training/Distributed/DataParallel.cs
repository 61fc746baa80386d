using System.Runtime.InteropServices;
using Sinapse.Layers;
using Sinapse.Optimizers;

namespace Sinapse.Training;

/// <summary>
/// Data-parallel training over a group of processes (PyTorch's DistributedDataParallel): every process holds the
/// whole model, trains on its share of each batch, and before each optimizer step its gradients are replaced by
/// the average over the group, so all copies take the same step. The gradients are averaged in buckets of about
/// <see cref="BucketElements"/> values, in the reverse order of the parameters (the order backward completes
/// them); a bucket starts its all-reduce as soon as backward has finished its last gradient, so communication
/// runs while the rest of backward computes. <see cref="Trainer.Fit{TBatch}(TrainingTask{TBatch}, Data.DataLoader{TBatch}, Data.DataLoader{TBatch}?, int, ICommunicator, Callback[])"/>
/// sets one up; custom loops can too (<see cref="Attach"/>, <see cref="BroadcastState"/>, <see cref="Share"/>).
/// </summary>
public sealed class DataParallel : IDisposable
{
    readonly ICommunicator comm;
    readonly Dictionary<Tensor, (Group Group, Bucket Bucket)> owners = new(ReferenceEqualityComparer.Instance);
    readonly List<Group> groups = new();

    /// <summary>Largest bucket, in float values (default 256 Ki = 1 MiB). One bucket per parameter larger than this.</summary>
    public int BucketElements { get; init; } = 256 * 1024;

    /// <summary>
    /// This process's share of the current global batch (its samples over all processes' samples); each gradient
    /// is scaled by it before the sum, so the result is the gradient of the global batch's mean loss even when the
    /// shares differ. Default 1 / Size.
    /// </summary>
    public double Share { get; set; }

    public ICommunicator Communicator => comm;

    public DataParallel(ICommunicator communicator)
    {
        comm = communicator;
        Share = 1.0 / communicator.Size;
    }

    /// <summary>Averages <paramref name="optimizer"/>'s gradients across the group before each of its steps.</summary>
    public void Attach(Optimizer optimizer)
    {
        if (optimizer.Group != null) throw new InvalidOperationException($"DataParallel: this {optimizer.GetType().Name} already belongs to a data-parallel group.");
        var g = new Group(this, optimizer);
        foreach (var b in g.Buckets)
            foreach (var p in b.Params)
                if (!owners.TryAdd(p, (g, b)))
                    throw new InvalidOperationException("DataParallel: a parameter is updated by two attached optimizers; each parameter must belong to one.");
        groups.Add(g);
        optimizer.Group = this;
        Autograd.LeafGradientReady = OnGradientReady;
    }

    /// <summary>Copies rank 0's parameters and buffers into every other rank's <paramref name="module"/>, so all start equal.</summary>
    public void BroadcastState(Module module)
    {
        var tensors = module.StateDict().Select(p => p.Value).ToArray();
        var flat = new float[tensors.Sum(t => t.Numel)];
        int at = 0;
        foreach (var t in tensors) { t.AsReadOnlySpan().CopyTo(flat.AsSpan(at)); at += t.Numel; }
        comm.Broadcast(MemoryMarshal.AsBytes(flat.AsSpan()), 0);
        at = 0;
        using var _ = Autograd.NoGrad();
        foreach (var t in tensors) { flat.AsSpan(at, t.Numel).CopyTo(t.AsSpan()); t.BumpVersion(); at += t.Numel; }
    }

    /// <summary>Detaches every optimizer; gradients are then left as each process computes them.</summary>
    public void Dispose()
    {
        foreach (var g in groups) g.Optimizer.Group = null;
        groups.Clear();
        owners.Clear();
        if (Autograd.LeafGradientReady == OnGradientReady) Autograd.LeafGradientReady = null;
    }

    void OnGradientReady(Tensor leaf)
    {
        if (owners.TryGetValue(leaf, out var o)) o.Group.Ready(o.Bucket);
        foreach (var g in groups) g.Poll();
    }

    /// <summary>Called by <see cref="Optimizer.SynchronizeGradients"/>.</summary>
    internal void Reduce(Optimizer optimizer)
    {
        foreach (var g in groups)
            if (g.Optimizer == optimizer) { g.Finish(); return; }
    }

    /// <summary>The buckets of one optimizer's parameters.</summary>
    sealed class Group
    {
        readonly DataParallel owner;
        public readonly Optimizer Optimizer;
        public readonly List<Bucket> Buckets = new();

        /// <summary>
        /// Off once a gradient changed after its bucket was sent (two backward passes before one step, or a backward
        /// that reaches these parameters for another optimizer's step): this optimizer then sends all at its step.
        /// </summary>
        bool early = true;

        public Group(DataParallel owner, Optimizer optimizer)
        {
            (this.owner, Optimizer) = (owner, optimizer);
            var current = new List<Tensor>();
            int size = 0;
            foreach (var p in optimizer.Parameters.Reverse())
            {
                if (size > 0 && size + p.Numel > owner.BucketElements) { Buckets.Add(new Bucket(owner.comm, current)); current = new(); size = 0; }
                current.Add(p); size += p.Numel;
            }
            if (current.Count > 0) Buckets.Add(new Bucket(owner.comm, current));
        }

        public void Ready(Bucket b)
        {
            if (b.Sent) { b.Stale = true; early = false; return; }
            if (++b.ReadyCount == b.Params.Count && early) b.Send(owner.Share);
        }

        public void Poll() { foreach (var b in Buckets) if (b.Sent) b.Reduction.Test(); }

        /// <summary>Sends what is not sent yet (again, if it changed since), waits for every sum and writes the averages back.</summary>
        public void Finish()
        {
            foreach (var b in Buckets)
            {
                if (b.Sent && b.Stale) { b.Reduction.Wait(); b.Sent = false; }
                if (!b.Sent) b.Send(owner.Share);
            }
            foreach (var b in Buckets)
            {
                b.Reduction.Wait();
                b.Receive();
            }
        }
    }

    /// <summary>Parameters whose gradients travel together in one pinned buffer.</summary>
    sealed class Bucket
    {
        public readonly List<Tensor> Params;
        public readonly PendingReduction Reduction;
        readonly float[] buffer;
        public int ReadyCount;
        public bool Sent, Stale;

        public Bucket(ICommunicator comm, List<Tensor> ps)
        {
            Params = ps;
            buffer = GC.AllocateUninitializedArray<float>(ps.Sum(p => p.Numel), pinned: true);
            Reduction = comm.CreateReduction(buffer);
        }

        /// <summary>Copies each gradient times <paramref name="share"/> into the buffer (zeros for a parameter without one) and starts the sum.</summary>
        public void Send(double share)
        {
            float s = (float)share;
            int at = 0;
            foreach (var p in Params)
            {
                var dst = buffer.AsSpan(at, p.Numel);
                if (p.Grad is { } g) System.Numerics.Tensors.TensorPrimitives.Multiply(g.Contiguous().AsReadOnlySpan(), s, dst);
                else dst.Clear();
                at += p.Numel;
            }
            Reduction.Start();
            Sent = true;
        }

        /// <summary>Writes the summed gradients back and makes the bucket ready for the next step.</summary>
        public void Receive()
        {
            int at = 0;
            foreach (var p in Params)
            {
                if (p.Grad is { } g)
                {
                    if (g.IsContiguous) { buffer.AsSpan(at, p.Numel).CopyTo(g.AsSpan()); g.BumpVersion(); }
                    else p.Grad = Tensor.FromArray(buffer.AsSpan(at, p.Numel).ToArray(), p.Shape);
                }
                at += p.Numel;
            }
            ReadyCount = 0; Sent = false; Stale = false;
        }
    }
}
