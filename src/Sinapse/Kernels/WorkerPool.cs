using System.Diagnostics;

namespace Sinapse.Kernels;

/// <summary>A piece of work run by a team: <c>Execute(t, T)</c> runs once on each thread t of T (t = 0 is the caller).</summary>
internal interface ITeamJob
{
    void Execute(int thread, int threads);
}

/// <summary>
/// Persistent worker threads for the kernels. A task or <c>Parallel.For</c> per operation costs tens of
/// microseconds, as much as a whole small matrix product; here the caller hands a job to workers that are already
/// spinning, runs its own share, and waits for theirs: the hand-off costs well under a microsecond while a training
/// loop keeps the team busy. Idle workers spin for <see cref="SpinMicroseconds"/> and then sleep on an event, so an
/// idle process burns no CPU. One team job runs at a time; a second caller (another thread, or a kernel called from
/// inside a job) is told to run its work itself, so nesting never deadlocks.
/// </summary>
internal static class WorkerPool
{
    /// <summary>How long an idle worker keeps spinning before it sleeps.</summary>
    const double SpinMicroseconds = 200;

    /// <summary>How long <see cref="Worker.Join"/> checks at every pause before it backs off (100 µs).</summary>
    static readonly long TightSpinTicks = Stopwatch.Frequency / 10_000;

    static Worker[] workers = [];
    static int busy;
    static readonly object growLock = new();

    /// <summary>
    /// Runs <paramref name="job"/> on <paramref name="threads"/> threads (the caller included) and returns true, or
    /// returns false at once when the team is already in use; the caller then does the work itself.
    /// </summary>
    public static bool TryRun(ITeamJob job, int threads)
    {
        if (threads <= 1 || Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        try
        {
            var team = Team(threads - 1);
            for (int i = 0; i < threads - 1; i++) team[i].Start(job, i + 1, threads);
            Exception? error = null;
            try { job.Execute(0, threads); }
            catch (Exception e) { error = e; }
            for (int i = 0; i < threads - 1; i++) error ??= team[i].Join();
            if (error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            return true;
        }
        finally { Volatile.Write(ref busy, 0); }
    }

    static Worker[] Team(int n)
    {
        if (workers.Length >= n) return workers;
        lock (growLock)
        {
            if (workers.Length < n)
            {
                var grown = new Worker[n];
                Array.Copy(workers, grown, workers.Length);
                for (int i = workers.Length; i < n; i++) grown[i] = new Worker(i + 1);
                workers = grown;
            }
            return workers;
        }
    }

    sealed class Worker
    {
        readonly ManualResetEventSlim wake = new(false, spinCount: 0);
        ITeamJob? job;
        int index, count;
        volatile int go, done, sleeping;
        Exception? error;

        public Worker(int id)
        {
            var t = new Thread(Loop) { IsBackground = true, Name = $"Sinapse worker {id}" };
            t.Start();
        }

        public void Start(ITeamJob j, int t, int n)
        {
            job = j; index = t; count = n; error = null; done = 0;
            Interlocked.Exchange(ref go, 1); // full fence: publishes the job before the sleeping check below
            if (sleeping == 1) wake.Set();
        }

        public Exception? Join()
        {
            // A worker's share ends within a microsecond of the caller's in most jobs: check at every pause first
            // (SpinWait's back-off alone reaches a sched_yield within a few checks), then back off.
            long start = Stopwatch.GetTimestamp();
            while (done == 0 && Stopwatch.GetTimestamp() - start < TightSpinTicks) Thread.SpinWait(1);
            var spin = new SpinWait();
            while (done == 0) spin.SpinOnce(sleep1Threshold: -1);
            return error;
        }

        void Loop()
        {
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                long limit = (long)(SpinMicroseconds * Stopwatch.Frequency / 1e6);
                while (go == 0)
                {
                    // One pause between checks, the clock read once per 64 checks: a posted job starts 0.2–0.5 µs
                    // later (median), against 0.4–0.7 µs with 20 pauses per check.
                    for (int s = 0; s < 64 && go == 0; s++) Thread.SpinWait(1);
                    if (go != 0) break;
                    if (Stopwatch.GetTimestamp() - start < limit) continue;
                    Interlocked.Exchange(ref sleeping, 1);
                    if (go == 0) wake.Wait();
                    wake.Reset();
                    sleeping = 0;
                    start = Stopwatch.GetTimestamp();
                }
                go = 0;
                try { job!.Execute(index, count); }
                catch (Exception e) { error = e; }
                job = null;
                done = 1;
            }
        }
    }
}

/// <summary>A reusable barrier for the threads of one team job (sense-reversing, spinning).</summary>
internal sealed class SpinBarrier
{
    int arrived, sense;

    public void Wait(int threads)
    {
        if (threads <= 1) return;
        int s = Volatile.Read(ref sense);
        if (Interlocked.Increment(ref arrived) == threads)
        {
            arrived = 0;
            Volatile.Write(ref sense, s ^ 1);
            return;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref sense) == s) spin.SpinOnce(sleep1Threshold: -1);
    }
}
