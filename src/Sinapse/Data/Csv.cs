using System.Globalization;

namespace Sinapse.Data;

/// <summary>Reads numeric CSV files into tensors.</summary>
public static class Csv
{
    /// <summary>
    /// Reads a file of numbers separated by <paramref name="separator"/> into a (rows, columns) tensor. With
    /// <paramref name="hasHeader"/> the first non-empty line names the columns and every row must have as many cells;
    /// without, the first row sets the count. Blank lines are skipped; cells may be quoted. A cell that is not a
    /// finite float32 (NaN, Infinity, 1e39) or a row of the wrong length raises <see cref="InvalidDataException"/>
    /// naming the file, the line and the column.
    /// </summary>
    public static (Tensor Values, string[] Header) Read(string path, bool hasHeader = true, char separator = ',')
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' not found.", path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        string[]? header = null;
        var values = new List<float>();
        int cols = -1, rows = 0, lineNo = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNo++;
            var text = line.AsSpan().Trim();
            if (text.IsEmpty) continue;
            if (hasHeader && header == null)
            {
                var names = new List<string>();
                foreach (var r in text.Split(separator)) names.Add(Unquote(text[r]).ToString());
                header = names.ToArray();
                cols = header.Length;
                continue;
            }
            int count = text.Count(separator) + 1;
            if (cols < 0) cols = count;
            if (count != cols)
                throw new InvalidDataException($"CSV file '{path}' line {lineNo}: {count} cells, expected {cols} ({(header != null ? "as in the header" : "as in the first row")}).");
            int c = 0;
            foreach (var r in text.Split(separator))
            {
                var cell = Unquote(text[r]);
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    throw new InvalidDataException($"CSV file '{path}' line {lineNo} column {Column(header, c)}: '{Short(cell)}' is not a number.");
                if (!float.IsFinite(v))
                    throw new InvalidDataException($"CSV file '{path}' line {lineNo} column {Column(header, c)}: '{Short(cell)}' is not a finite float32 (|x| ≤ 3.4e38, no NaN or Infinity).");
                values.Add(v);
                c++;
            }
            rows++;
        }
        if (rows == 0) throw new InvalidDataException($"CSV file '{path}': no data rows.");
        return (Tensor.FromArray(values.ToArray(), rows, cols), header ?? []);
    }

    static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> cell)
    {
        cell = cell.Trim();
        return cell.Length >= 2 && cell[0] == '"' && cell[^1] == '"' ? cell[1..^1].Trim() : cell;
    }

    static string Column(string[]? header, int c) => header != null ? $"{c + 1} ('{Short(header[c])}')" : (c + 1).ToString(CultureInfo.InvariantCulture);

    static string Short(ReadOnlySpan<char> s) => s.Length <= 24 ? s.ToString() : s[..24].ToString() + "…";

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
