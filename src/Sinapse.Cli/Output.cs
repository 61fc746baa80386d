using Sinapse.Training;
using Spectre.Console;

namespace Sinapse.Cli;

internal static class Output
{
    /// <summary>Prints a confusion matrix as a table: rows actual, columns predicted, diagonal highlighted.</summary>
    public static void Confusion(ConfusionMatrix cm, IReadOnlyList<string>? names = null)
    {
        string Name(int c) => Markup.Escape(names != null ? names[c] : c.ToString());
        var table = new Table().Title("confusion matrix (rows: actual, columns: predicted)").Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("").RightAligned());
        for (int j = 0; j < cm.Classes; j++) table.AddColumn(new TableColumn(Name(j)).RightAligned());
        table.AddColumn(new TableColumn("recall").RightAligned());
        for (int i = 0; i < cm.Classes; i++)
        {
            var row = new List<string> { $"[bold]{Name(i)}[/]" };
            for (int j = 0; j < cm.Classes; j++) row.Add(i == j ? $"[green]{cm.Counts[i, j]}[/]" : cm.Counts[i, j] == 0 ? "[grey]0[/]" : cm.Counts[i, j].ToString());
            row.Add($"{cm.Recall(i):P1}");
            table.AddRow(row.ToArray());
        }
        AnsiConsole.Write(table);
    }
}
