using System.Globalization;

namespace Sinapse.Bench;

/// <summary>
/// One result line, the contract between a child process and the driver:
/// <c>engine \t workload \t case \t threads \t value \t unit</c>, invariant culture, NaN allowed.
/// </summary>
/// <param name="Run">Which process run (1-based) produced it; 0 for a line not read by the driver.</param>
public sealed record ResultLine(int Run, string Engine, string Workload, string Case, int Threads, double Value, string Unit)
{
    public const string TsvHeader = "run\tengine\tworkload\tcase\tthreads\tvalue\tunit";

    /// <summary>Up to 4 decimals: enough for accuracies (0.9814) without printing float noise elsewhere.</summary>
    public static string Format(string engine, string workload, string name, int threads, double value, string unit) =>
        string.Join('\t', engine, workload, name, threads.ToString(CultureInfo.InvariantCulture),
            value.ToString("0.####", CultureInfo.InvariantCulture), unit);

    /// <summary>Parses a child's stdout line; null for anything that is not a result line.</summary>
    public static ResultLine? TryParse(string line, int run)
    {
        var f = line.Split('\t');
        if (f.Length != 6 || f[0] is not ("sinapse" or "torch")) return null;
        if (!int.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out int threads)) return null;
        if (!double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return null;
        return new ResultLine(run, f[0], f[1], f[2], threads, value, f[5]);
    }

    public string ToTsv() => $"{Run}\t{Format(Engine, Workload, Case, Threads, Value, Unit)}";
}
