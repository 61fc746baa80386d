using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>Options shared by the commands that read MNIST: where the data is and how many cores to use.</summary>
internal abstract class DataSettings : CommandSettings
{
    [CommandOption("--data <DIR>"), Description("Folder with the MNIST files. Default: data/mnist found from here upwards.")]
    public string? Data { get; init; }

    [CommandOption("--threads <N>"), Description("Cores to use. Default: all.")]
    public int? Threads { get; init; }

    public override ValidationResult Validate() =>
        Threads is < 1 ? ValidationResult.Error($"--threads must be at least 1, got {Threads}.") : ValidationResult.Success();

    /// <summary>Applies --threads and returns the MNIST folder.</summary>
    public string Apply()
    {
        if (Threads is int t) Sinapse.Settings.Threads = t;
        return RunFolder.ResolveData(Data);
    }
}
