using Sinapse.Distributed;
using Sinapse.Training;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// The processes of a <c>mpirun -np N sinapse train --distributed</c> job. Rank 0 is the command as usual; the other
/// ranks print nothing, keep their few files in a scratch folder, train, and leave when training ends.
/// </summary>
internal static class MpiJob
{
    static MpiCommunicator? world;
    static string? scratch;

    /// <summary>The group training together: MPI's world after <see cref="Join"/>, else the single process.</summary>
    public static ICommunicator Communicator => (ICommunicator?)world ?? SingleProcess.Instance;

    /// <summary>Whether this process writes the run folder and reports: true unless it is a rank other than 0.</summary>
    public static bool IsMain => world == null || world.Rank == 0;

    /// <summary>Where a rank other than 0 writes what rank 0 writes to the run folder (deleted when it leaves).</summary>
    public static string ScratchFolder => scratch ??= Directory.CreateTempSubdirectory("sinapse-rank").FullName;

    /// <summary>
    /// Joins the MPI job; without --threads each rank takes an equal part of this machine's cores (Open MPI says how
    /// many ranks share it).
    /// </summary>
    public static void Join(int? threads)
    {
        if (!MpiCommunicator.Launched)
            throw new ArgumentException("--distributed: this process was not started by mpirun; run e.g. 'mpirun -np 2 sinapse train --distributed …' (Open MPI: apt-get install openmpi-bin libopenmpi-dev).");
        world = MpiCommunicator.Initialize();
        if (Environment.GetEnvironmentVariable("SINAPSE_MPI_TIMEOUT") is string t && double.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            world.Timeout = TimeSpan.FromSeconds(seconds);
        int local = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out var n) && n > 0 ? n : world.Size;
        Sinapse.Settings.Threads = threads ?? Math.Max(1, Environment.ProcessorCount / local);
        if (world.Rank != 0)
        {
            Console.SetOut(TextWriter.Null);
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        }
        else AnsiConsole.MarkupLine($"data-parallel over {world.Size} processes (Open MPI), {Sinapse.Settings.Threads} thread(s) each");
    }

    /// <summary>Finalises MPI (waiting for the other ranks) and removes the scratch folder; a rank other than 0 then exits.</summary>
    public static void Leave()
    {
        if (world == null) return;
        bool main = IsMain;
        if (main) AnsiConsole.MarkupLine($"rank 0 waited {world.Waited.TotalSeconds:F1} s for the other ranks (communication not hidden by computation, and imbalance)");
        world.Dispose();
        world = null;
        if (scratch != null) { try { Directory.Delete(scratch, recursive: true); } catch (IOException) { } scratch = null; }
        if (!main) Environment.Exit(0);
    }

    /// <summary>After an error on any rank: ends the whole job (every rank) with <paramref name="message"/>.</summary>
    public static void Fail(string message)
    {
        if (world is { Size: > 1 } w) w.Abort($"{message} (ending all {w.Size} processes)");
    }
}
