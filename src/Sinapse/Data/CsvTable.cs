using System.Globalization;
using System.Text;

namespace Sinapse.Data;

/// <summary>
/// A CSV file read as text cells, each row remembering its line, so that every later error (a missing column, a cell
/// that is not a number) can name the file, the line and the column. Cells may be quoted ("a,b" and "" inside quotes
/// as in RFC 4180); blank lines are skipped; every row must have as many cells as the header (or the first row).
/// </summary>
public sealed class CsvTable
{
    /// <summary>The file read.</summary>
    public string Path { get; }
    /// <summary>Column names from the header line, or "1", "2", … without one.</summary>
    public string[] Columns { get; }
    public bool HasHeader { get; }
    /// <summary>The data rows' cells, trimmed and unquoted.</summary>
    public IReadOnlyList<string[]> Rows { get; }
    /// <summary>The 1-based line number of each row in the file.</summary>
    public IReadOnlyList<int> Lines { get; }

    public int RowCount => Rows.Count;
    public int ColumnCount => Columns.Length;

    CsvTable(string path, string[] columns, bool hasHeader, List<string[]> rows, List<int> lines)
    {
        Path = path; Columns = columns; HasHeader = hasHeader; Rows = rows; Lines = lines;
    }

    /// <summary>
    /// Reads <paramref name="path"/>. Throws <see cref="FileNotFoundException"/> for a missing file and
    /// <see cref="InvalidDataException"/> naming the file and line for a row of the wrong length, an unclosed quote
    /// or a file without data rows.
    /// </summary>
    public static CsvTable Read(string path, bool hasHeader = true, char separator = ',')
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' not found.", path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        string[]? header = null;
        var rows = new List<string[]>();
        var lines = new List<int>();
        int cols = -1, lineNo = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            lineNo++;
            if (line.AsSpan().Trim().IsEmpty) continue;
            var cells = Split(line, separator, path, lineNo);
            if (hasHeader && header == null) { header = cells; cols = cells.Length; continue; }
            if (cols < 0) cols = cells.Length;
            if (cells.Length != cols)
                throw new InvalidDataException($"CSV file '{path}' line {lineNo}: {cells.Length} cells, expected {cols} ({(header != null ? "as in the header" : "as in the first row")}).");
            rows.Add(cells);
            lines.Add(lineNo);
        }
        if (rows.Count == 0) throw new InvalidDataException($"CSV file '{path}': no data rows.");
        header ??= Enumerable.Range(1, cols).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new CsvTable(path, header, hasHeader, rows, lines);
    }

    /// <summary>Cells of one line: separators inside double quotes are text; "" inside quotes is one quote.</summary>
    static string[] Split(string line, char separator, string path, int lineNo)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch != '"') cell.Append(ch);
                else if (i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (ch == '"' && cell.ToString().Trim().Length == 0) { quoted = wasQuoted = true; cell.Clear(); }
            else if (ch == separator) { cells.Add(wasQuoted ? cell.ToString() : cell.ToString().Trim()); cell.Clear(); wasQuoted = false; }
            else cell.Append(ch);
        }
        if (quoted) throw new InvalidDataException($"CSV file '{path}' line {lineNo}: a quoted cell is not closed.");
        cells.Add(wasQuoted ? cell.ToString() : cell.ToString().Trim());
        return cells.ToArray();
    }

    /// <summary>
    /// The index of the column named <paramref name="name"/> (exactly, else ignoring case), or given by its 1-based
    /// number; throws naming the file and its columns when there is none.
    /// </summary>
    public int ColumnIndex(string name)
    {
        int i = Array.IndexOf(Columns, name);
        if (i < 0) i = Array.FindIndex(Columns, c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
        if (i < 0 && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= ColumnCount) i = n - 1;
        if (i < 0)
            throw new ArgumentException($"CSV file '{Path}': no column '{name}'; its columns are {string.Join(", ", Columns.Take(12))}{(ColumnCount > 12 ? $", … ({ColumnCount} in all)" : "")}.");
        return i;
    }

    /// <summary>How errors name column <paramref name="c"/>: its number and, with a header, its name.</summary>
    public string Describe(int c) => HasHeader ? $"{c + 1} ('{Short(Columns[c])}')" : (c + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether the cell parses as a number (invariant culture).</summary>
    public static bool IsNumber(string cell) => float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// The cell of row <paramref name="row"/>, column <paramref name="column"/> as a finite float32; otherwise throws
    /// <see cref="InvalidDataException"/> naming the file, the line and the column.
    /// </summary>
    public float Number(int row, int column)
    {
        var cell = Rows[row][column];
        string where = $"CSV file '{Path}' line {Lines[row]} column {Describe(column)}";
        if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            throw new InvalidDataException(cell.Length == 0 ? $"{where}: the cell is empty (missing values are not filled in; remove or complete the row)."
                : $"{where}: '{Short(cell)}' is not a number.");
        if (!float.IsFinite(v))
            throw new InvalidDataException($"{where}: '{Short(cell)}' is not a finite float32 (|x| ≤ 3.4e38, no NaN or Infinity).");
        return v;
    }

    static string Short(string s) => s.Length <= 24 ? s : s[..24] + "…";
}
