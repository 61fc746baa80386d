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
        var table = CsvTable.Read(path, hasHeader, separator);
        int rows = table.RowCount, cols = table.ColumnCount;
        var values = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) values[r * cols + c] = table.Number(r, c);
        return (Tensor.FromArray(values, rows, cols), hasHeader ? table.Columns : []);
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
