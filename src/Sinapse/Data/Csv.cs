using System.Globalization;

namespace Sinapse.Data;

/// <summary>Reads numeric CSV files into tensors.</summary>
public static class Csv
{
    /// <summary>
    /// Reads a comma-separated file of numbers into a (rows, columns) tensor. Skips the first line when
    /// <paramref name="hasHeader"/>. Errors name the file, the line and the offending field.
    /// </summary>
    public static (Tensor Values, string[] Header) Read(string path, bool hasHeader = true, char separator = ',')
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' not found.", path);
        var lines = File.ReadAllLines(path);
        string[] header = [];
        var rows = new List<float[]>();
        int cols = -1;
        for (int li = 0; li < lines.Length; li++)
        {
            var line = lines[li].Trim();
            if (line.Length == 0) continue;
            var fields = line.Split(separator);
            if (hasHeader && header.Length == 0 && rows.Count == 0) { header = fields.Select(f => f.Trim().Trim('"')).ToArray(); continue; }
            if (cols < 0) cols = fields.Length;
            if (fields.Length != cols)
                throw new InvalidDataException($"CSV file '{path}' line {li + 1}: {fields.Length} fields, expected {cols}.");
            var r = new float[cols];
            for (int j = 0; j < cols; j++)
                if (!float.TryParse(fields[j].Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out r[j]))
                    throw new InvalidDataException($"CSV file '{path}' line {li + 1} column {j + 1}: '{fields[j]}' is not a number.");
            rows.Add(r);
        }
        if (rows.Count == 0) throw new InvalidDataException($"CSV file '{path}': no data rows.");
        var data = new float[rows.Count * cols];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(data, i * cols);
        return (Tensor.FromArray(data, rows.Count, cols), header);
    }

    /// <summary>Reads a CSV and splits one column off as the target: inputs (rows, columns−1), targets (rows).</summary>
    public static TensorDataset ReadDataset(string path, int targetColumn = -1, bool hasHeader = true)
    {
        var (v, _) = Read(path, hasHeader);
        int cols = v.Shape[1];
        int t = targetColumn < 0 ? targetColumn + cols : targetColumn;
        if ((uint)t >= (uint)cols) throw new ArgumentException($"CSV file '{path}': target column {targetColumn} does not exist ({cols} columns).");
        var keep = Enumerable.Range(0, cols).Where(c => c != t).ToArray();
        return new TensorDataset(v.IndexSelect(1, keep), v.Select(1, t).Contiguous());
    }
}
