using System.Diagnostics;

namespace Sinapse.Tests.Fuzz;

/// <summary>
/// Runs a reader over mutated files and collects every contract breach: an exception other than
/// <see cref="InvalidDataException"/>, an InvalidDataException that does not name the file, a result that fails the
/// reader's own check, more than 64 MB + 4 × the file's size allocated, or a case slower than two seconds. The whole
/// run is bounded too, so a hang fails the test instead of stalling the suite.
/// </summary>
internal static class FuzzHarness
{
    public const long AllocationAllowance = 64L << 20;

    public sealed record Report(int Cases, int Loaded, int Rejected, List<string> Breaches);

    /// <param name="name">The reader's name, used for the file name.</param>
    /// <param name="cases">How many mutated inputs to try.</param>
    /// <param name="makeCase">The i-th input (deterministic).</param>
    /// <param name="read">Reads the file at the path and returns what it loaded.</param>
    /// <param name="check">Checks a successful load against the input bytes; returns null when fine, else what is wrong.</param>
    /// <param name="fileName">The file's name (its extension may matter to the reader).</param>
    public static Report Run(string name, int cases, Func<int, byte[]> makeCase, Func<string, object?> read,
        Func<byte[], object?, string?>? check = null, string? fileName = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "sinapse-fuzz", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, fileName ?? name);
        var breaches = new List<string>();
        int loaded = 0, rejected = 0;
        var work = Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < cases; i++)
            {
                var bytes = makeCase(i);
                File.WriteAllBytes(path, bytes);
                long before = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                object? result = null;
                Exception? error = null;
                try { result = read(path); }
                catch (Exception e) { error = e; }
                sw.Stop();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                string tag = $"{name} case {i} ({bytes.Length} bytes)";
                if (error == null)
                {
                    loaded++;
                    if (check?.Invoke(bytes, result) is string wrong) breaches.Add($"{tag}: loaded, but {wrong}");
                }
                else if (error is InvalidDataException)
                {
                    rejected++;
                    if (!error.Message.Contains(path)) breaches.Add($"{tag}: message does not name the file: {error.Message}");
                }
                else breaches.Add($"{tag}: {error.GetType().Name}: {error.Message}");
                if (allocated > AllocationAllowance + 4L * bytes.Length) breaches.Add($"{tag}: allocated {allocated:N0} bytes");
                if (sw.Elapsed > TimeSpan.FromSeconds(2)) breaches.Add($"{tag}: took {sw.Elapsed.TotalSeconds:F1} s");
                if (breaches.Count > 20) break;
            }
        }, TaskCreationOptions.LongRunning);
        if (!work.Wait(TimeSpan.FromMinutes(2))) breaches.Add($"{name}: the run did not finish within 2 minutes (a hang)");
        try { Directory.Delete(dir, true); } catch (IOException) { }
        return new Report(cases, loaded, rejected, breaches);
    }

    /// <summary>Fails with the first breaches listed; also requires that both outcomes occurred, so the mutations reach past the first check.</summary>
    public static void AssertClean(Report r)
    {
        Assert.True(r.Breaches.Count == 0, $"{r.Breaches.Count} breaches in {r.Cases} cases:\n" + string.Join("\n", r.Breaches.Take(10)));
        Assert.True(r.Loaded > 0 && r.Rejected > 0, $"{r.Loaded} loaded and {r.Rejected} rejected of {r.Cases}: the cases do not reach both outcomes");
    }
}
