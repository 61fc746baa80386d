using System.Security.Cryptography;

namespace Sinapse.Data;

/// <summary>
/// Data sets shipped in the repository's data/ folder (and beside the installed tool), or fetched into the cache
/// folder: one folder per set with a SHA256SUMS manifest that is checked before anything is read.
/// </summary>
public static class ShippedData
{
    public const string ManifestName = "SHA256SUMS";

    /// <summary>Where fetched data sets go, one folder each: $SINAPSE_DATA when set, else ~/.cache/sinapse.</summary>
    public static string CacheDirectory() =>
        Environment.GetEnvironmentVariable("SINAPSE_DATA") is { Length: > 0 } d ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "sinapse");

    /// <summary>
    /// Finds data/<paramref name="name"/> (with its manifest) walking up from the current and the program's directory,
    /// then <see cref="CacheDirectory"/>/<paramref name="name"/>; null if none.
    /// </summary>
    public static string? Find(string name)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "data", name);
                if (File.Exists(Path.Combine(candidate, ManifestName))) return candidate;
            }
        var cached = Path.Combine(CacheDirectory(), name);
        return File.Exists(Path.Combine(cached, ManifestName)) ? cached : null;
    }

    /// <summary>
    /// The path of <paramref name="file"/> in data/<paramref name="name"/>, found and checked against its manifest;
    /// <paramref name="kind"/> ("text", "time series") and <paramref name="script"/> go into the errors.
    /// </summary>
    public static string Locate(string name, string file, string kind, string script)
    {
        var dir = Find(name) ?? throw new DirectoryNotFoundException($"{kind} '{name}' not found: no data/{name}/{ManifestName} above the working or program directory.");
        Verify(dir, [file], name, script);
        return Path.Combine(dir, file);
    }

    /// <summary>
    /// Checks <paramref name="files"/> in <paramref name="dir"/> against its manifest; throws naming the file, the
    /// expected hash and <paramref name="script"/>, which regenerates them.
    /// </summary>
    public static void Verify(string dir, IEnumerable<string> files, string label, string script)
    {
        var manifest = Path.Combine(dir, ManifestName);
        if (!File.Exists(manifest))
            throw new FileNotFoundException($"{label} manifest '{manifest}' not found; expected {ManifestName} with the sha256 of each file (regenerate with {script}).", manifest);
        var expected = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(manifest))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2) expected[parts[1].TrimStart('*')] = parts[0].ToLowerInvariant();
        }
        foreach (var f in files)
        {
            var path = Path.Combine(dir, f);
            if (!expected.TryGetValue(f, out var want))
                throw new InvalidDataException($"{label} manifest '{manifest}' has no entry for '{f}'.");
            if (!File.Exists(path))
                throw new FileNotFoundException($"{label} file '{path}' not found; expected the file with sha256 {want}.", path);
            string got;
            using (var s = File.OpenRead(path)) got = Convert.ToHexStringLower(SHA256.HashData(s));
            if (got != want)
                throw new InvalidDataException($"{label} file '{path}' does not match manifest '{manifest}': sha256 {got}, expected {want} (regenerate with {script}).");
        }
    }
}
