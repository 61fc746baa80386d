using System.Diagnostics;
using System.Text.Json;
using Sinapse.Tests.Support;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

/// <summary>
/// `sinapse train --distributed` under Open MPI's mpirun with two ranks on this machine. Where mpirun is missing the
/// tests pass with nothing checked, unless SINAPSE_REQUIRE_MPI=1 (as in .ci/run, which installs Open MPI).
/// </summary>
[Collection(nameof(ProcessWideCollection))]
public class MpiTests
{
    static string? Mpirun() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    static bool Available()
    {
        if (Mpirun() != null) return true;
        Assert.False(Environment.GetEnvironmentVariable("SINAPSE_REQUIRE_MPI") == "1", "SINAPSE_REQUIRE_MPI=1 but mpirun is not on PATH (apt-get install openmpi-bin libopenmpi-dev).");
        return false;
    }

    /// <summary>Starts `mpirun -np 2 dotnet Sinapse.Cli.dll ARGS` (run as root where the tests are).</summary>
    static Process Start(params string[] args) => Start(null, args);

    static Process Start(double? timeoutSeconds, params string[] args)
    {
        var psi = new ProcessStartInfo(Mpirun()!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-np", "2", "--oversubscribe", "-x", "SINAPSE_MPI_TIMEOUT", "dotnet", Path.Combine(AppContext.BaseDirectory, "Sinapse.Cli.dll"), .. args]) psi.ArgumentList.Add(a);
        psi.Environment["SINAPSE_MPI_TIMEOUT"] = (timeoutSeconds ?? 30).ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        return Process.Start(psi)!;
    }

    static (int Code, string Out) RunJob(params string[] args)
    {
        using var p = Start(args);
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(300_000), "mpirun did not finish in 5 minutes");
        return (p.ExitCode, output + err.Result);
    }

    static float[] Weights(string run) =>
        Sinapse.IO.Safetensors.Load(Path.Combine(run, "model.safetensors")).OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => kv.Value.ToArray()).ToArray();

    static double TestAccuracy(string run) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.GetProperty("test_accuracy").GetDouble();

    [Fact]
    public void TwoRanks_TrainTheMlpLikeOneProcess()
    {
        if (!Available()) return;
        var dir = Temp();
        foreach (var optimizer in new[] { "sgd", "adam" })
        {
            string[] common = ["train", "--epochs", "1", "--optimizer", optimizer, "--lr", optimizer == "sgd" ? "0.05" : "0.001", "--schedule", "none"];
            string one = Path.Combine(dir, optimizer + "-one"), blocks = Path.Combine(dir, optimizer + "-blocks"), two = Path.Combine(dir, optimizer + "-two");
            var (code1, out1, err1) = Run([.. common, "--threads", "1", "--out", one]);
            Assert.True(code1 == 0, out1 + err1);
            (code1, out1, err1) = Run([.. common, "--threads", "1", "--batch-blocks", "2", "--out", blocks]);
            Assert.True(code1 == 0, out1 + err1);
            var (code2, out2) = RunJob([.. common, "--distributed", "--out", two]);
            Assert.True(code2 == 0, out2);
            Assert.Contains("data-parallel over 2 processes", out2);
            Assert.Single(Directory.GetDirectories(dir, optimizer + "-two")); // rank 1 wrote no run folder of its own
            var (a, b) = (Weights(blocks), Weights(two));
            Assert.Equal(a.Length, b.Length);
            // One process summing each batch in two blocks makes the two ranks' additions: the same weights, bit for bit.
            Assert.True(a.AsSpan().SequenceEqual(b), $"{optimizer}: weights differ by up to {a.Zip(b, (x, y) => Math.Abs(x - y)).Max():G3} from --batch-blocks 2's");
            Assert.InRange(TestAccuracy(two) - TestAccuracy(one), -0.002, 0.002);
        }
    }

    [Fact]
    public async Task KilledRank_EndsTheJobWithAnError_AndTheRunResumes()
    {
        if (!Available()) return;
        var run = Path.Combine(Temp(), "run");
        string[] args = ["train", "--distributed", "--epochs", "12", "--batch-size", "256", "--out", run];
        using (var job = Start(args))
        {
            var output = job.StandardOutput.ReadToEndAsync();
            var errors = job.StandardError.ReadToEndAsync();
            var waited = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(run, "checkpoint.safetensors")) && !job.HasExited && waited.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(50);
            Assert.True(File.Exists(Path.Combine(run, "checkpoint.safetensors")), "no checkpoint after the first epoch: " + (job.HasExited ? await output + await errors : "still running"));
            var rank1 = RankProcess(run, 1);
            Assert.True(rank1 != null, "rank 1's process not found");
            var killed = Stopwatch.StartNew();
            rank1!.Kill();
            Assert.True(job.WaitForExit(60_000), "the job still runs 60 s after rank 1 was killed");
            Assert.NotEqual(0, job.ExitCode);
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(60));
            Assert.Contains("rank 1", await output + await errors);
        }
        var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.InRange(history.Length - 1, 1, 11); // it was killed before the last epoch
        var (code, text) = RunJob(["train", "--distributed", "--resume", run]);
        Assert.True(code == 0, text);
        Assert.Contains("resuming", text);
        Assert.Equal(13, File.ReadAllLines(Path.Combine(run, "history.csv")).Length); // header and 12 epochs
        Assert.True(TestAccuracy(run) > 0.95);
    }

    [Fact]
    public async Task StoppedRank_MakesTheOthersAbortAfterTheTimeout()
    {
        if (!Available()) return;
        var run = Path.Combine(Temp(), "run");
        using var job = Start(3, "train", "--distributed", "--epochs", "12", "--batch-size", "256", "--out", run);
        var output = job.StandardOutput.ReadToEndAsync();
        var errors = job.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(run, "checkpoint.safetensors")) && !job.HasExited && waited.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(50);
        var rank1 = RankProcess(run, 1);
        Assert.True(rank1 != null, "rank 1's process not found");
        using (var stop = Process.Start("kill", ["-STOP", rank1!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) stop.WaitForExit();
        try
        {
            Assert.True(job.WaitForExit(60_000), "the job still runs 60 s after rank 1 stopped");
            Assert.NotEqual(0, job.ExitCode);
            Assert.Contains("rank 0 of 2: MPI_Iallreduce did not complete in 3 s", await output + await errors);
        }
        finally { try { rank1.Kill(); } catch (InvalidOperationException) { } }
    }

    /// <summary>The process of rank <paramref name="rank"/> of the job writing <paramref name="run"/> (its command line names it; Open MPI puts the rank in its environment).</summary>
    static Process? RankProcess(string run, int rank)
    {
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out int pid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(d, "cmdline")).Contains(run) || File.ReadAllText(Path.Combine(d, "cmdline")).StartsWith("mpirun")) continue;
                if (File.ReadAllText(Path.Combine(d, "environ")).Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}")) return Process.GetProcessById(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        }
        return null;
    }
}
