using System.Globalization;
using System.Text;
using System.Text.Json;
using Sinapse.Data;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse predict --model RUN ROWS.csv</c> for a run trained on a table: each row of the CSV (with a header naming
/// the input columns, in any order; text columns as in training) is encoded, standardised and scored exactly as in
/// training (preprocessing.json); the predicted class and its probability, or the predicted value, are printed per row
/// and written to ROWS.predictions.csv. When the CSV also holds the target, accuracy or RMSE is reported.
/// </summary>
internal static class TabularPredict
{
    public static bool Handles(string run) => File.Exists(Path.Combine(run, TabularRun.PreprocessingJson));

    public static int Run(string run, string csvPath)
    {
        var jsonPath = Path.Combine(run, TabularRun.PreprocessingJson);
        string[] features, classes; float[] mean, std; string target; float? targetMean = null, targetStd = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
            var r = doc.RootElement;
            features = r.GetProperty("features").EnumerateArray().Select(e => e.GetString()!).ToArray();
            classes = r.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!).ToArray();
            mean = r.GetProperty("mean").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            std = r.GetProperty("std").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            target = r.GetProperty("target").GetString()!;
            if (r.TryGetProperty("target_mean", out var tm)) { targetMean = tm.GetSingle(); targetStd = r.GetProperty("target_std").GetSingle(); }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{jsonPath}: expected features, mean, std, target and classes ({e.Message}).", e);
        }
        var (model, _) = RunFolder.LoadModel(run);
        var table = CsvTable.Read(csvPath);
        // Each feature is a numeric column by its name, or "column=value", the one-hot of a text column.
        var encoders = features.Select(f =>
        {
            int eq = f.IndexOf('=');
            if (eq > 0 && table.Columns.Contains(f[..eq]) && !table.Columns.Contains(f))
            {
                int col = table.ColumnIndex(f[..eq]); string value = f[(eq + 1)..];
                return (Func<int, float>)(row => table.Rows[row][col] == value ? 1f : 0f);
            }
            int c = table.ColumnIndex(f);
            return row => table.Number(row, c);
        }).ToArray();
        int n = table.RowCount, d = features.Length;
        var x = new float[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[i * d + j] = (encoders[j](i) - mean[j]) / std[j];
        Tensor output;
        using (Autograd.NoGrad()) output = model.Call(Tensor.FromArray(x, n, d));
        int targetCol = Array.FindIndex(table.Columns, c => c == target);
        var sb = new StringBuilder($"row,{(classes.Length > 0 ? "predicted,probability" : "predicted")}\n");
        bool classify = classes.Length > 0;
        var grid = new Table().AddColumns("row", classify ? "predicted class" : "predicted " + target);
        if (classify) grid.AddColumn("probability");
        if (targetCol >= 0) grid.AddColumn("actual");
        int right = 0; double sq = 0;
        var o = (classify ? output.Softmax(1) : output).ToArray();
        for (int i = 0; i < n; i++)
        {
            string cell, actual = targetCol >= 0 ? table.Rows[i][targetCol] : "";
            if (classify)
            {
                int best = Enumerable.Range(0, classes.Length).MaxBy(k => o[i * classes.Length + k]);
                float p = o[i * classes.Length + best];
                cell = classes[best];
                if (classes[best] == actual) right++;
                sb.Append(CultureInfo.InvariantCulture, $"{i + 1},{cell},{p:F4}\n");
                grid.AddRow([(i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(cell), p.ToString("P1", CultureInfo.InvariantCulture), .. targetCol >= 0 ? new[] { Markup.Escape(actual) } : []]);
            }
            else
            {
                float v = o[i] * (targetStd ?? 1f) + (targetMean ?? 0f);
                cell = v.ToString("G6", CultureInfo.InvariantCulture);
                if (targetCol >= 0) { double e = v - table.Number(i, targetCol); sq += e * e; }
                sb.Append(CultureInfo.InvariantCulture, $"{i + 1},{cell}\n");
                grid.AddRow([(i + 1).ToString(CultureInfo.InvariantCulture), cell, .. targetCol >= 0 ? new[] { Markup.Escape(actual) } : []]);
            }
        }
        AnsiConsole.Write(grid);
        if (targetCol >= 0)
            AnsiConsole.MarkupLine(classify ? $"accuracy against the '{Markup.Escape(target)}' column: [bold]{right / (double)n:P1}[/] ({right} of {n})"
                : $"RMSE against the '{Markup.Escape(target)}' column: [bold]{Math.Sqrt(sq / n):G4}[/]");
        var outPath = Path.ChangeExtension(csvPath, ".predictions.csv");
        RunFolder.WriteText(outPath, sb.ToString());
        AnsiConsole.MarkupLine($"predictions: [blue]{Markup.Escape(Path.GetFullPath(outPath))}[/]");
        return 0;
    }
}
