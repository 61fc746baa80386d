using Sinapse.IO;

namespace Sinapse.Training;

/// <summary>
/// Saves the model's weights (parameters and persistent buffers, PyTorch's state_dict) after every epoch to
/// <c>last.safetensors</c> in <paramref name="directory"/>, and to <c>best.safetensors</c> whenever the monitored metric
/// improves (Keras's ModelCheckpoint with and without save_best_only). Files are written atomically, so a crash leaves
/// the previous file whole.
/// </summary>
public sealed class ModelCheckpoint(string directory, string monitor = "val_loss") : Callback, IStateful
{
    public const string BestFile = "best.safetensors", LastFile = "last.safetensors";
    float best = float.NaN;

    /// <summary>The epoch whose weights best.safetensors holds (0 before the first).</summary>
    public int BestEpoch { get; private set; }
    public string BestPath => Path.Combine(directory, BestFile);
    public string LastPath => Path.Combine(directory, LastFile);

    bool HigherIsBetter => monitor.EndsWith("accuracy");

    public override void OnTrainBegin(TrainingContext ctx)
    {
        Directory.CreateDirectory(directory);
        best = HigherIsBetter ? float.NegativeInfinity : float.PositiveInfinity;
        BestEpoch = 0;
    }

    public override void OnEpochEnd(TrainingContext ctx, EpochLogs logs)
    {
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "sinapse", ["epoch"] = logs.Epoch.ToString() };
        ctx.Model.Save(LastPath, metadata);
        float v = logs.Get(monitor) ?? throw new InvalidOperationException($"ModelCheckpoint: metric '{monitor}' is not available (is there a validation set?).");
        if (HigherIsBetter ? v > best : v < best)
        {
            best = v; BestEpoch = logs.Epoch;
            ctx.Model.Save(BestPath, metadata);
        }
    }

    public void SaveState(TrainingState state, string prefix) { state.Set(prefix + "best", best); state.Set(prefix + "best_epoch", BestEpoch); }

    public void LoadState(TrainingState state, string prefix) { best = state.GetFloat(prefix + "best"); BestEpoch = checked((int)state.GetLong(prefix + "best_epoch")); }
}

/// <summary>
/// Makes a run resumable (Keras's BackupAndRestore): after every epoch, and after every other callback, the whole training
/// state — weights and buffers, optimizer moments and step count, scheduler, the loader's and the layers' random
/// generators, the history and the state of the other callbacks — is written atomically to <paramref name="path"/>. When
/// Fit starts and that file exists, the state is read back and training continues after its epoch, ending bit for bit
/// where the uninterrupted run ends. <paramref name="extra"/> adds state Fit cannot see (an augmentation's generator).
/// </summary>
public sealed class BackupAndRestore(string path, params (string Key, IStateful Part)[] extra) : Callback
{
    public string Path { get; } = path;

    /// <summary>The epoch the run resumed after (0 when it started fresh).</summary>
    public int ResumedFrom { get; private set; }

    public override void OnTrainBegin(TrainingContext ctx)
    {
        foreach (var (key, part) in extra) ctx.AddState(key, part);
    }

    /// <summary>Called by Fit after every callback's OnTrainBegin: loads the file if there is one.</summary>
    internal void Restore(TrainingContext ctx)
    {
        ResumedFrom = 0;
        var comm = ctx.Communicator;
        if (comm.Size == 1)
        {
            if (!File.Exists(Path)) return;
            ctx.LoadState(TrainingState.Load(Path));
        }
        else
        {
            // Rank 0 reads the file and sends its bytes: the other processes need not see rank 0's disk.
            var bytes = comm.Rank == 0 && File.Exists(Path) ? File.ReadAllBytes(Path) : [];
            Span<byte> length = stackalloc byte[8];
            BitConverter.TryWriteBytes(length, (long)bytes.Length);
            comm.Broadcast(length, 0);
            long n = BitConverter.ToInt64(length);
            if (n == 0) return;
            if (comm.Rank != 0) bytes = new byte[checked((int)n)];
            comm.Broadcast(bytes, 0);
            ctx.LoadState(TrainingState.Load(new MemoryStream(bytes), Path));
        }
        ResumedFrom = ctx.InitialEpoch;
    }

    /// <summary>Called by Fit after every callback's OnEpochEnd.</summary>
    internal void Backup(TrainingContext ctx)
    {
        if (ctx.Communicator.Rank != 0) return; // one file for the group, from rank 0
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (dir != null) Directory.CreateDirectory(dir);
        ctx.SaveState().Save(Path);
    }
}

/// <summary>Rewrites <paramref name="path"/> with the history as CSV after every epoch (atomically), so a run that stops early still has its log.</summary>
public sealed class CsvLogger(string path) : Callback
{
    public override void OnEpochEnd(TrainingContext ctx, EpochLogs logs)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, ctx.History.ToCsv());
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>
/// Ends training quietly when the loss becomes NaN or infinite (Keras's TerminateOnNaN) instead of Fit throwing
/// <see cref="TrainingDivergedException"/>: the diverged epoch is not recorded, and <see cref="Message"/> says where it happened.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>Where the loss stopped being finite; null if it never did.</summary>
    public string? Message { get; internal set; }

    public override void OnTrainBegin(TrainingContext ctx) => Message = null;
}
