using System.Diagnostics;
using System.Security.Cryptography;
using Sinapse.Data;

namespace Sinapse.Cli;

/// <summary>
/// The data sets the CLI knows by name: those shipped with Sinapse (data/ in the repository, and beside the installed
/// tool) and those fetched on demand into <see cref="ShippedData.CacheDirectory"/>, each file checked by sha256.
/// </summary>
internal static class DataCatalog
{
    /// <summary>A named data set: what it is, how <c>--data</c> uses it, and for a fetched one where it comes from.</summary>
    public sealed record Entry(string Name, string What, string Use, string? DebianPackage = null, string? PackagePath = null,
        IReadOnlyDictionary<string, string>? Files = null);

    public static readonly Entry[] All =
    [
        new("mnist", "MNIST handwritten digits, 70,000 28×28 images (LeCun & Cortes, CC BY-SA 3.0)", "train (the default)"),
        new("fashion-mnist", "Fashion-MNIST, 70,000 28×28 images of ten kinds of clothing (Xiao, Rasul & Vollgraf 2017, MIT)", "train --data fashion-mnist",
            "dataset-fashion-mnist", "usr/share/datasets/fashion-mnist", new Dictionary<string, string>
            {
                ["train-images-idx3-ubyte.gz"] = "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                ["train-labels-idx1-ubyte.gz"] = "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
                ["t10k-images-idx3-ubyte.gz"] = "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                ["t10k-labels-idx1-ubyte.gz"] = "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
            }),
        new("iris", "Fisher's iris flowers, 150 rows, 3 classes", "train --data iris, cv, tune, cluster"),
        new("wine", "Wine recognition, 178 rows, 3 classes", "train --data wine"),
        new("breast-cancer", "Breast cancer Wisconsin (diagnostic), 569 rows, 2 classes", "train --data breast-cancer"),
        new("diabetes", "Diabetes progression, 442 rows, regression", "train --data diabetes"),
        new("moby-dick", "Melville's Moby Dick, 1.2 million characters", "train --model charlstm --data text:moby-dick"),
        new("airpassengers", "Monthly airline passengers 1949–1960", "forecast --data airpassengers"),
        new("sunspots", "Yearly sunspot numbers 1700–2008", "forecast --data sunspots"),
    ];

    public static Entry? Get(string name) => All.FirstOrDefault(e => e.Name == name);

    /// <summary>Where the data set is (its folder), or null when it is neither shipped nor fetched.</summary>
    public static string? Locate(string name) => ShippedData.Find(name);

    /// <summary>
    /// Fetches <paramref name="entry"/> into the cache: the Debian package by apt-get download (no install, no root),
    /// unpacked by dpkg -x; each file's sha256 checked, then written with a manifest. Returns the folder.
    /// </summary>
    public static string Fetch(Entry entry, Action<string> say)
    {
        if (entry.DebianPackage == null || entry.Files == null)
            throw new InvalidOperationException($"{entry.Name} is shipped with Sinapse; nothing to fetch.");
        var dest = Path.Combine(ShippedData.CacheDirectory(), entry.Name);
        var work = Directory.CreateTempSubdirectory("sinapse-fetch-").FullName;
        try
        {
            if (!HasTool("apt-get") || !HasTool("dpkg"))
                throw new InvalidOperationException(Manual(entry, dest, "this machine has no apt-get and dpkg"));
            say($"apt-get download {entry.DebianPackage}");
            if (Exec("apt-get", $"download {entry.DebianPackage}", work) != 0)
            {
                say("apt-get update (the package lists are missing or stale)");
                Exec("apt-get", "update", work);
                if (Exec("apt-get", $"download {entry.DebianPackage}", work) != 0)
                    throw new InvalidOperationException(Manual(entry, dest, $"apt-get could not download {entry.DebianPackage}"));
            }
            var deb = Directory.GetFiles(work, "*.deb").Single();
            if (Exec("dpkg", $"-x \"{deb}\" x", work) != 0) throw new InvalidOperationException($"dpkg -x could not unpack '{deb}'.");
            Directory.CreateDirectory(dest);
            var manifest = new List<string>();
            foreach (var (file, sha) in entry.Files)
            {
                var src = Path.Combine(work, "x", entry.PackagePath!, file);
                if (!File.Exists(src)) throw new InvalidDataException($"{entry.DebianPackage} has no {entry.PackagePath}/{file}; the package has changed — fetch it by hand (see 'sinapse data list').");
                string got;
                using (var s = File.OpenRead(src)) got = Convert.ToHexStringLower(SHA256.HashData(s));
                if (got != sha) throw new InvalidDataException($"{entry.DebianPackage}: {file} has sha256 {got}, expected {sha}; nothing was written.");
                File.Copy(src, Path.Combine(dest, file + ".tmp"), overwrite: true);
                manifest.Add($"{sha}  {file}");
            }
            foreach (var file in entry.Files.Keys) File.Move(Path.Combine(dest, file + ".tmp"), Path.Combine(dest, file), overwrite: true);
            // The manifest last: a folder with one is complete and checked.
            RunFolder.WriteText(Path.Combine(dest, ShippedData.ManifestName), string.Join("\n", manifest) + "\n");
            return dest;
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    static string Manual(Entry e, string dest, string why) =>
        $"{why}. Fetch it by hand: download the Debian package {e.DebianPackage} (packages.debian.org/{e.DebianPackage}), unpack it " +
        $"(dpkg -x, or ar x then tar xf data.tar.*), and copy {string.Join(", ", e.Files!.Keys)} from {e.PackagePath} into {dest}; " +
        "any folder with those four files also works as --data DIR.";

    static bool HasTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, name)));

    static int Exec(string file, string args, string cwd)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd(); p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
