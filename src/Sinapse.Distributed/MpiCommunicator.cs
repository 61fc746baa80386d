using System.Diagnostics;
using System.Runtime.InteropServices;
using Sinapse.Training;
using static Sinapse.Distributed.MpiLibrary;

namespace Sinapse.Distributed;

/// <summary>
/// The ranks started by <c>mpirun -np N</c> as an <see cref="ICommunicator"/> over Open MPI's MPI_COMM_WORLD. Every
/// collective is started non-blocking and then polled, so that a rank that died or hangs does not hang the others:
/// after <see cref="Timeout"/> without completion the job is aborted with a message naming the operation. Open MPI
/// moves a non-blocking reduction forward only inside MPI calls, so while reductions started during backward are
/// running, a background thread polls them about every millisecond (MPI_THREAD_MULTIPLE; every call is made under
/// one lock): the gradients travel while the layers below are still being differentiated.
/// </summary>
/// <example>
/// <code>
/// using var world = MpiCommunicator.Initialize();   // one per process, before training
/// Trainer.Fit(task, train, validation, epochs, world, callbacks);
/// </code>
/// </example>
public sealed unsafe class MpiCommunicator : ICommunicator, IDisposable
{
    static MpiCommunicator? current;

    public int Rank { get; }
    public int Size { get; }

    /// <summary>How long a collective may wait for the other ranks before the job is aborted. Default: 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    MpiCommunicator(int rank, int size, bool progressThread)
    {
        (Rank, Size) = (rank, size);
        if (progressThread) new Thread(Progress) { IsBackground = true, Name = "MPI progress" }.Start();
    }

    readonly object gate = new();
    readonly List<Reduction> active = new();

    TimeSpan waited;

    /// <summary>Time this rank has spent waiting for collectives to complete: communication not hidden behind computation, and waiting for slower ranks.</summary>
    public TimeSpan Waited => waited;

    /// <summary>True when this process was started by Open MPI's mpirun (or another launcher that sets its variables).</summary>
    public static bool Launched =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") != null || Environment.GetEnvironmentVariable("PMIX_RANK") != null;

    /// <summary>
    /// Initialises MPI once per process and returns the world; throws <see cref="MpiException"/> saying what to install when Open MPI's library is missing.
    /// </summary>
    public static MpiCommunicator Initialize()
    {
        if (current != null) return current;
        if (Load() is string why) throw new MpiException(why);
        int flag, provided, rank, size;
        Check(Initialized(&flag), "MPI_Initialized");
        provided = 0;
        if (flag == 0) Check(InitThread(null, null, ThreadMultiple, &provided), "MPI_Init_thread");
        Check(CommRank(CommWorld, &rank), "MPI_Comm_rank");
        Check(CommSize(CommWorld, &size), "MPI_Comm_size");
        return current = new MpiCommunicator(rank, size, progressThread: provided >= ThreadMultiple);
    }

    /// <summary>Finalises MPI (a collective: it returns once every rank has finished).</summary>
    public void Dispose()
    {
        if (current != this) return;
        int flag;
        lock (gate) if (Finalized(&flag) == Success && flag == 0) FinalizeMpi();
        current = null;
    }

    public void AllReduceSum(Span<float> values)
    {
        nint request;
        fixed (float* p = values)
        {
            lock (gate) Check(Iallreduce(InPlace, (nint)p, values.Length, FloatType, SumOp, CommWorld, &request), "MPI_Iallreduce");
            Wait(&request, "MPI_Iallreduce");
        }
    }

    public void AllReduceSum(Span<double> values)
    {
        nint request;
        fixed (double* p = values)
        {
            lock (gate) Check(Iallreduce(InPlace, (nint)p, values.Length, DoubleType, SumOp, CommWorld, &request), "MPI_Iallreduce");
            Wait(&request, "MPI_Iallreduce");
        }
    }

    public void Broadcast(Span<byte> data, int root)
    {
        nint request;
        fixed (byte* p = data)
        {
            lock (gate) Check(Ibcast((nint)p, data.Length, ByteType, root, CommWorld, &request), "MPI_Ibcast");
            Wait(&request, "MPI_Ibcast");
        }
    }

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier()
    {
        nint request;
        lock (gate) Check(Ibarrier(CommWorld, &request), "MPI_Ibarrier");
        Wait(&request, "MPI_Ibarrier");
    }

    public PendingReduction CreateReduction(float[] buffer) => new Reduction(this, buffer);

    public void Abort(string message)
    {
        Console.Error.WriteLine($"rank {Rank} of {Size}: {message}");
        Console.Error.Flush();
        MpiLibrary.Abort(CommWorld, 3); // without the lock: the progress thread may hold it
        Environment.Exit(3);
    }

    /// <summary>Polls <paramref name="request"/> until done: spinning first (steps are milliseconds apart), then sleeping, then aborting after <see cref="Timeout"/>.</summary>
    void Wait(nint* request, string call)
    {
        var clock = Stopwatch.StartNew();
        for (int spins = 0; ; spins++)
        {
            int done;
            lock (gate) Check(MpiLibrary.Test(request, &done, 0), "MPI_Test");
            if (done != 0) { waited += clock.Elapsed; return; }
            if (spins < 2000) Thread.SpinWait(20);
            else if (clock.Elapsed < TimeSpan.FromMilliseconds(50)) Thread.Yield();
            else Thread.Sleep(1);
            if (spins % 64 == 0 && clock.Elapsed > Timeout)
                Abort($"{call} did not complete in {Timeout.TotalSeconds:F0} s: another rank has died or stopped calling the same collectives; ending the job.");
        }
    }

    /// <summary>Polls the running reductions about every millisecond; sleeps while none runs.</summary>
    void Progress()
    {
        try
        {
            while (true)
            {
                lock (gate)
                {
                    while (active.Count == 0) Monitor.Wait(gate);
                    for (int i = active.Count - 1; i >= 0; i--)
                    {
                        int done;
                        Check(MpiLibrary.Test(active[i].Request, &done, 0), "MPI_Test");
                        if (done != 0) active.RemoveAt(i); // the owner's next Test sees a null request: done
                    }
                }
                Thread.Sleep(1);
            }
        }
        catch (MpiException e) { Abort(e.Message); }
    }

    /// <summary>An in-place MPI_Iallreduce of a pinned buffer, reused step after step.</summary>
    sealed class Reduction : PendingReduction
    {
        readonly MpiCommunicator owner;
        readonly float[] buffer;
        readonly GCHandle pin;
        internal readonly nint* Request = (nint*)NativeMemory.AllocZeroed((nuint)sizeof(nint));
        bool running;

        public Reduction(MpiCommunicator owner, float[] buffer)
        {
            (this.owner, this.buffer) = (owner, buffer);
            pin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        }

        ~Reduction()
        {
            if (!running) { pin.Free(); NativeMemory.Free(Request); }
        }

        public override void Start()
        {
            if (running) throw new InvalidOperationException("Reduction.Start: the previous reduction of this buffer is still running.");
            lock (owner.gate)
            {
                Check(Iallreduce(InPlace, pin.AddrOfPinnedObject(), buffer.Length, FloatType, SumOp, CommWorld, Request), "MPI_Iallreduce");
                owner.active.Add(this);
                Monitor.Pulse(owner.gate);
            }
            running = true;
        }

        public override bool Test()
        {
            if (!running) return true;
            int done;
            lock (owner.gate) Check(MpiLibrary.Test(Request, &done, 0), "MPI_Test");
            if (done != 0) running = false;
            return !running;
        }

        public override void Wait()
        {
            if (!running) return;
            owner.Wait(Request, "MPI_Iallreduce");
            running = false;
        }
    }
}
