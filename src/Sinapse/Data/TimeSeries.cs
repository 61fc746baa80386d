using System.Globalization;

namespace Sinapse.Data;

/// <summary>
/// A univariate time series (labels such as "1949-01" and one value per step) and the pieces of forecasting with a
/// network: sliding windows, the seasonal-naive baseline and the scores of a forecast.
/// </summary>
public sealed class TimeSeries
{
    public string Name { get; }
    public IReadOnlyList<string> Labels { get; }
    public float[] Values { get; }

    public TimeSeries(string name, IReadOnlyList<string> labels, float[] values)
    {
        if (labels.Count != values.Length) throw new ArgumentException($"TimeSeries '{name}': {labels.Count} labels for {values.Length} values.");
        (Name, Labels, Values) = (name, labels, values);
    }

    /// <summary>The shipped series: name → (folder under data/, file).</summary>
    public static readonly IReadOnlyDictionary<string, string> Shipped = new Dictionary<string, string>
        { ["airpassengers"] = "airpassengers.csv", ["sunspots"] = "sunspots.csv" };

    /// <summary>A shipped series by name (data/NAME/, checked against its SHA256SUMS).</summary>
    public static TimeSeries LoadShipped(string name)
    {
        if (!Shipped.TryGetValue(name, out var file))
            throw new ArgumentException($"no shipped time series '{name}'; shipped: {string.Join(", ", Shipped.Keys)}.");
        return ReadCsv(ShippedData.Locate(name, file, "time series", "scripts/make-timeseries-data.sh"), name);
    }

    /// <summary>
    /// Reads a CSV with a header: the first column labels each step, the last holds its value. Errors name the file,
    /// the line and the cell.
    /// </summary>
    public static TimeSeries ReadCsv(string path, string? name = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"time series file '{path}' not found.", path);
        var labels = new List<string>();
        var values = new List<float>();
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            if (line == 1 || raw.Trim().Length == 0) continue;
            var cells = raw.Split(',');
            if (cells.Length < 2) throw new InvalidDataException($"'{path}' line {line}: expected a label and a value, got '{raw}'.");
            var cell = cells[^1].Trim().Trim('"');
            if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !float.IsFinite(v))
                throw new InvalidDataException($"'{path}' line {line}, column {cells.Length}: '{cell}' is not a finite number.");
            labels.Add(cells[0].Trim().Trim('"'));
            values.Add(v);
        }
        if (values.Count < 2) throw new InvalidDataException($"'{path}': fewer than two values.");
        return new TimeSeries(name ?? Path.GetFileNameWithoutExtension(path), labels, [.. values]);
    }

    /// <summary>
    /// Sliding windows: for each origin o with <paramref name="input"/> ≤ o and o + <paramref name="horizon"/> ≤ end,
    /// the <paramref name="input"/> values before o and the <paramref name="horizon"/> values from o.
    /// Shape: inputs (N, input, 1), targets (N, horizon); origins in order.
    /// </summary>
    public static (Tensor Inputs, Tensor Targets, int[] Origins) Windows(float[] values, int input, int horizon, int firstOrigin, int end)
    {
        if (input < 1 || horizon < 1 || end > values.Length)
            throw new ArgumentException($"Windows: input {input} and horizon {horizon} must be positive and end {end} within the {values.Length} values.");
        var origins = Enumerable.Range(Math.Max(firstOrigin, input), Math.Max(0, end - horizon - Math.Max(firstOrigin, input) + 1)).ToArray();
        if (origins.Length == 0) throw new ArgumentException($"Windows: no window of {input} inputs and {horizon} targets fits between origin {firstOrigin} and step {end}.");
        var x = new float[origins.Length * input];
        var y = new float[origins.Length * horizon];
        for (int n = 0; n < origins.Length; n++)
        {
            Array.Copy(values, origins[n] - input, x, n * input, input);
            Array.Copy(values, origins[n], y, n * horizon, horizon);
        }
        return (Tensor.FromArray(x, origins.Length, input, 1), Tensor.FromArray(y, origins.Length, horizon), origins);
    }

    /// <summary>Seasonal naive: step o + h is forecast by the last observed value of the same season, values[o + h − m·⌈(h + 1)/m⌉].</summary>
    public static float[] SeasonalNaive(float[] values, int origin, int horizon, int period)
    {
        if (period < 1 || origin < period || origin > values.Length)
            throw new ArgumentException($"SeasonalNaive: origin {origin} needs a whole season of {period} observed values before it (and within the {values.Length} values).");
        var f = new float[horizon];
        for (int h = 0; h < horizon; h++) f[h] = values[origin + h - period * ((h / period) + 1)];
        return f;
    }
}
