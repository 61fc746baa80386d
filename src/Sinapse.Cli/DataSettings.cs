using System.ComponentModel;
using Sinapse.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>Options shared by the commands that read MNIST: where the data is and how many cores to use.</summary>
internal abstract class DataSettings : CommandSettings
{
    [CommandOption("--data <DIR>"), Description("mnist, fashion-mnist (after 'sinapse data fetch fashion-mnist'), a folder with the four IDX files of an MNIST-format set, a folder of images with one subfolder per class, a table (iris, wine, breast-cancer, diabetes, or csv:FILE with --target) or text:NAME|FILE (charlstm). Default: mnist.")]
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
            var dir = ShippedData.Find("fashion-mnist")
                ?? throw new DirectoryNotFoundException($"Fashion-MNIST not found in '{Mnist.FashionDirectory()}'; fetch it with 'sinapse data fetch fashion-mnist' (Debian package dataset-fashion-mnist, checked by sha256).");
            return (dir, Mnist.FashionMean, Mnist.FashionStd);
        }
        return (RunFolder.ResolveData(Data == "mnist" ? null : Data), Mnist.Mean, Mnist.Std);
    }

    /// <summary>The name of the image set --data selects, for messages: MNIST, Fashion-MNIST, or the folder's name.</summary>
    public string DataName => Data switch
    {
        null or "mnist" => "MNIST",
        "fashion-mnist" => "Fashion-MNIST",
        var d when ImageFolderData.Handles(d) => $"the images in {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))}",
        var d => $"the IDX files in {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))}",
    };
}
