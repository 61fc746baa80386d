namespace Sinapse.Training;

/// <summary>
/// The collective operations data-parallel training needs from a group of processes (ranks 0 … Size − 1), each
/// running the same program on its own share of the data: sums across ranks, a broadcast from one rank, and an
/// abort that ends them all. Trainer.Fit takes one; the MPI implementation lives in the Sinapse.Distributed package, and <see cref="SingleProcess"/> is the
/// group of one. Every rank must make the same calls in the same order (a collective waits for all of them).
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's number, 0 … <see cref="Size"/> − 1; rank 0 writes files and reports.</summary>
    int Rank { get; }

    /// <summary>Number of processes in the group.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>Copies <paramref name="data"/> of rank <paramref name="root"/> into <paramref name="data"/> of every rank (all pass the same length).</summary>
    void Broadcast(Span<byte> data, int root);

    /// <summary>
    /// A sum over ranks of <paramref name="buffer"/> (whole) that can be started and finished apart, so that
    /// communication runs while backpropagation goes on. The buffer must stay untouched while the reduction runs.
    /// </summary>
    PendingReduction CreateReduction(float[] buffer);

    /// <summary>Ends every rank of the group with <paramref name="message"/> (printed by this rank) and a non-zero exit code.</summary>
    void Abort(string message);
}

/// <summary>A sum over ranks of one buffer in place (<see cref="ICommunicator.CreateReduction"/>), started and waited for apart.</summary>
public abstract class PendingReduction
{
    /// <summary>Starts summing the buffer; it must not be running already.</summary>
    public abstract void Start();

    /// <summary>Lets the reduction progress without waiting; true once it is done.</summary>
    public abstract bool Test();

    /// <summary>Waits until the reduction is done (the buffer then holds the sum).</summary>
    public abstract void Wait();
}

/// <summary>The group of one process: every collective leaves the data as it is. Training with it is training without a group.</summary>
public sealed class SingleProcess : ICommunicator
{
    public static SingleProcess Instance { get; } = new();
    SingleProcess() { }

    public int Rank => 0;
    public int Size => 1;
    public void AllReduceSum(Span<float> values) { }
    public void AllReduceSum(Span<double> values) { }
    public void Broadcast(Span<byte> data, int root) { }
    public PendingReduction CreateReduction(float[] buffer) => new Done();
    public void Abort(string message) => throw new InvalidOperationException(message);

    sealed class Done : PendingReduction
    {
        public override void Start() { }
        public override bool Test() => true;
        public override void Wait() { }
    }
}
