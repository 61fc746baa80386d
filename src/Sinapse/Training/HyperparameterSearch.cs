using System.Globalization;

namespace Sinapse.Training;

/// <summary>
/// A search space of hyperparameters, each with a list of values (written as text: "1e-3", "32,16", "adam"), and the
/// two ways to draw trials from it: every combination (grid) or a seeded sample of distinct combinations (random, after
/// Bergstra &amp; Bengio 2012: for the same budget it tries more values of the hyperparameters that matter).
/// </summary>
public sealed class HyperparameterSearch
{
    readonly List<(string Name, string[] Values)> space = new();

    public IReadOnlyList<(string Name, string[] Values)> Space => space;

    /// <summary>Number of combinations in the grid.</summary>
    public long GridSize => space.Aggregate(1L, (n, d) => n * d.Values.Length);

    public HyperparameterSearch Add(string name, params string[] values)
    {
        if (values.Length == 0) throw new ArgumentException($"HyperparameterSearch: '{name}' needs at least one value.");
        if (space.Any(d => d.Name == name)) throw new ArgumentException($"HyperparameterSearch: '{name}' is given twice.");
        space.Add((name, values));
        return this;
    }

    /// <summary>
    /// Parses "name=v1,v2;name=v1|v2…": dimensions separated by ';', values by ',' — or by '|' when a value itself holds
    /// commas (hidden=32|64,32).
    /// </summary>
    public static HyperparameterSearch Parse(string spec)
    {
        var s = new HyperparameterSearch();
        foreach (var part in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || kv[0].Length == 0 || kv[1].Length == 0)
                throw new ArgumentException($"--space: '{part}' is not name=value,value,… (e.g. lr=1e-3,1e-2).");
            var values = kv[1].Split(kv[1].Contains('|') ? '|' : ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            s.Add(kv[0], values);
        }
        return s;
    }

    /// <summary>Every combination, the last dimension varying fastest.</summary>
    public IEnumerable<IReadOnlyDictionary<string, string>> Grid()
    {
        for (long k = 0; k < GridSize; k++) yield return Combination(k);
    }

    /// <summary><paramref name="trials"/> distinct combinations drawn at random (all of them, shuffled, when the grid is smaller).</summary>
    public IEnumerable<IReadOnlyDictionary<string, string>> Random(int trials, ulong seed)
    {
        var gen = new Generator(seed);
        long size = GridSize;
        var seen = new HashSet<long>();
        while (seen.Count < Math.Min(trials, size))
        {
            long k = (long)(((ulong)gen.NextUInt() << 32 | gen.NextUInt()) % (ulong)size);
            if (seen.Add(k)) yield return Combination(k);
        }
    }

    IReadOnlyDictionary<string, string> Combination(long k)
    {
        var c = new Dictionary<string, string>();
        for (int d = space.Count - 1; d >= 0; d--)
        {
            var values = space[d].Values;
            c[space[d].Name] = values[k % values.Length];
            k /= values.Length;
        }
        return space.ToDictionary(d => d.Name, d => c[d.Name]);
    }

    /// <summary>A value of a trial as a float (invariant culture), with the name in the error.</summary>
    public static float Float(IReadOnlyDictionary<string, string> trial, string name, float fallback) =>
        !trial.TryGetValue(name, out var v) ? fallback
        : float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f
        : throw new ArgumentException($"--space: {name}={v} is not a number.");
}
