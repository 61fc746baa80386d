using System.Globalization;

namespace Sinapse.Data;

/// <summary>Whether a table's target is a class (cross-entropy, accuracy) or a number (MSE, RMSE, R²).</summary>
public enum TabularTask { Classification, Regression }

/// <summary>
/// A table of examples from a CSV file, encoded for a network: numeric columns as they are, categorical (text) columns
/// one-hot, and the target column as class indices or as numbers. Nothing is scaled here: fit a
/// <see cref="Standardizer"/> on the training rows only, so the validation and test rows do not leak into it.
/// </summary>
/// <remarks>
/// A column is numeric when most of its cells are numbers; then a cell that is not one is an error naming the file,
/// the line and the column (a typo, not a category). A column whose cells are mostly text is categorical, one input
/// per distinct value in order of first appearance, named "column=value". Empty cells are refused: nothing is imputed.
/// The task, unless given, is classification for a text target or a numeric one with at most 20 distinct integer
/// values, else regression.
/// </remarks>
public sealed class TabularData
{
    /// <summary>Where the rows came from (a file path).</summary>
    public required string Source { get; init; }
    /// <summary>Inputs (N, F) and targets: class indices (N) for classification, values (N, 1) for regression.</summary>
    public required TensorDataset Data { get; init; }
    /// <summary>Names of the F inputs after one-hot encoding.</summary>
    public required string[] FeatureNames { get; init; }
    public required string TargetName { get; init; }
    public required TabularTask Task { get; init; }
    /// <summary>Class names in index order (classification); empty for regression.</summary>
    public required string[] Classes { get; init; }
    /// <summary>The categorical input columns and their values, in the order their one-hot inputs appear.</summary>
    public required IReadOnlyList<(string Column, string[] Values)> Categorical { get; init; }

    public int Count => Data.Count;
    public int FeatureCount => FeatureNames.Length;
    /// <summary>Outputs the network needs: the class count, or 1 for regression.</summary>
    public int Outputs => Task == TabularTask.Classification ? Classes.Length : 1;

    /// <summary>The class index of every row (for stratified splits); null for regression.</summary>
    public int[]? Labels => Task == TabularTask.Classification ? Data.Targets.ToArray().Select(v => (int)v).ToArray() : null;

    /// <summary>The data sets shipped in data/ (scripts/make-tabular-data.sh), with their target column and task.</summary>
    public static IReadOnlyDictionary<string, (string Target, TabularTask Task)> Shipped { get; } = new Dictionary<string, (string, TabularTask)>
    {
        ["iris"] = ("species", TabularTask.Classification),
        ["wine"] = ("class", TabularTask.Classification),
        ["breast-cancer"] = ("diagnosis", TabularTask.Classification),
        ["diabetes"] = ("progression", TabularTask.Regression),
    };

    /// <summary>Loads a shipped set by name (iris, wine, breast-cancer, diabetes), checked against its manifest.</summary>
    public static TabularData LoadShipped(string name)
    {
        if (!Shipped.TryGetValue(name, out var s))
            throw new ArgumentException($"Unknown shipped table '{name}'; shipped: {string.Join(", ", Shipped.Keys)} (or pass csv:FILE).");
        return Load(ShippedData.Locate(name, name + ".csv", "table", "scripts/make-tabular-data.sh"), s.Target, s.Task);
    }

    /// <summary>Reads <paramref name="path"/> and encodes it with <paramref name="target"/> (a column name or 1-based number) as the target.</summary>
    public static TabularData Load(string path, string target, TabularTask? task = null) => FromTable(CsvTable.Read(path), target, task);

    /// <summary>Encodes a read table (see the class remarks).</summary>
    public static TabularData FromTable(CsvTable table, string target, TabularTask? task = null)
    {
        int t = table.ColumnIndex(target), n = table.RowCount;
        if (table.ColumnCount < 2) throw new InvalidDataException($"CSV file '{table.Path}': only the target column; there are no inputs.");
        var kind = task ?? GuessTask(table, t);
        string[] classes = [];
        var targets = new float[n];
        if (kind == TabularTask.Classification)
        {
            var index = new Dictionary<string, int>();
            bool numeric = Enumerable.Range(0, n).All(r => CsvTable.IsNumber(table.Rows[r][t]));
            // Numeric labels are ordered by value (0, 1, 2 stay 0, 1, 2); text labels by first appearance.
            var names = numeric ? Enumerable.Range(0, n).Select(r => table.Number(r, t)).Distinct().Order().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToList()
                : Enumerable.Range(0, n).Select(r => table.Rows[r][t]).Distinct().ToList();
            for (int r = 0; r < n; r++) if (table.Rows[r][t].Length == 0) table.Number(r, t); // an empty label: the file/line/column error
            foreach (var name in names) index[name] = index.Count;
            for (int r = 0; r < n; r++)
                targets[r] = index[numeric ? table.Number(r, t).ToString(CultureInfo.InvariantCulture) : table.Rows[r][t]];
            if (index.Count < 2) throw new InvalidDataException($"CSV file '{table.Path}': the target column {table.Describe(t)} has only one class, '{names[0]}'.");
            classes = names.ToArray();
        }
        else for (int r = 0; r < n; r++) targets[r] = table.Number(r, t);

        var featureNames = new List<string>();
        var categorical = new List<(string, string[])>();
        var columns = new List<Func<int, float[]>>(); // row → this column's inputs
        for (int c = 0; c < table.ColumnCount; c++)
        {
            if (c == t) continue;
            int col = c;
            int numbers = Enumerable.Range(0, n).Count(r => CsvTable.IsNumber(table.Rows[r][col]));
            if (numbers * 2 > n)
            {
                featureNames.Add(table.Columns[c]);
                columns.Add(r => [table.Number(r, col)]);
                continue;
            }
            for (int r = 0; r < n; r++)
                if (table.Rows[r][col].Length == 0) table.Number(r, col); // an empty category: the file/line/column error
            var values = Enumerable.Range(0, n).Select(r => table.Rows[r][col]).Distinct().ToArray();
            var pos = values.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
            categorical.Add((table.Columns[c], values));
            featureNames.AddRange(values.Select(v => $"{table.Columns[c]}={v}"));
            columns.Add(r => { var oneHot = new float[values.Length]; oneHot[pos[table.Rows[r][col]]] = 1; return oneHot; });
        }
        int f = featureNames.Count;
        var x = new float[n * f];
        for (int r = 0; r < n; r++)
        {
            int k = r * f;
            foreach (var column in columns) foreach (var v in column(r)) x[k++] = v;
        }
        var y = kind == TabularTask.Classification ? Tensor.FromArray(targets, n) : Tensor.FromArray(targets, n, 1);
        return new TabularData
        {
            Source = table.Path, Data = new TensorDataset(Tensor.FromArray(x, n, f), y), FeatureNames = featureNames.ToArray(),
            TargetName = table.Columns[t], Task = kind, Classes = classes, Categorical = categorical,
        };
    }

    static TabularTask GuessTask(CsvTable table, int t)
    {
        var cells = table.Rows.Select(r => r[t]).ToArray();
        if (!cells.All(CsvTable.IsNumber)) return TabularTask.Classification;
        var values = cells.Select(c => double.Parse(c, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        return values.All(v => v == Math.Floor(v)) && values.Distinct().Count() <= 20 ? TabularTask.Classification : TabularTask.Regression;
    }
}
