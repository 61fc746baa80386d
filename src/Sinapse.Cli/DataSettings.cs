using System.ComponentModel;
using Sinapse.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>Options shared by the commands that read MNIST: where the data is and how many cores to use.</summary>
internal abstract class DataSettings : CommandSettings
{
    [CommandOption("--data <DIR>"), Description("Folder with MNIST-format IDX files, fashion-mnist (fetched by scripts/fetch-fashion-mnist.sh), a table (iris, wine, breast-cancer, diabetes, or csv:FILE with --target) or text:NAME|FILE (charlstm). Default: data/mnist found from here upwards.")]
    public string? Data { get; init; }

    [CommandOption("--threads <N>"), Description("Cores to use. Default: all.")]
    public int? Threads { get; init; }

    public override ValidationResult Validate() =>
        Threads is < 1 ? ValidationResult.Error($"--threads must be at least 1, got {Threads}.") : ValidationResult.Success();

    /// <summary>Applies --threads and returns the data folder with its normalisation.</summary>
    public (string Dir, float Mean, float Std) Apply()
    {
        if (Threads is int t) Sinapse.Settings.Threads = t;
        if (Data == "fashion-mnist")
        {
            var dir = Mnist.FashionDirectory();
            if (!File.Exists(Path.Combine(dir, Mnist.ManifestName)))
                throw new DirectoryNotFoundException($"Fashion-MNIST not found in '{dir}'; fetch it with scripts/fetch-fashion-mnist.sh (Debian package dataset-fashion-mnist, checked by sha256).");
            return (dir, Mnist.FashionMean, Mnist.FashionStd);
        }
        return (RunFolder.ResolveData(Data), Mnist.Mean, Mnist.Std);
    }
}
