namespace Sinapse.Tests.Support;

/// <summary>
/// Tests that change process-wide settings (thread count, SIMD width) belong to this collection, which runs alone
/// after the parallel ones: no other test can see a setting change, or reset it, in the middle of its run.
/// </summary>
[CollectionDefinition(nameof(ProcessWideCollection), DisableParallelization = true)]
public sealed class ProcessWideCollection;

/// <summary>Sets <see cref="Settings.Threads"/> for a scope and restores the previous value.</summary>
public sealed class ThreadCount : IDisposable
{
    readonly int previous = Settings.Threads;
    public ThreadCount(int threads) => Settings.Threads = threads;
    public void Dispose() => Settings.Threads = previous;
}
