using System.ComponentModel;
using Sinapse.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse data list</c>: every data set known by name, where it is (shipped, fetched, or not yet) and how to use
/// it; <c>sinapse data fetch NAME</c>: fetches one into the cache folder ($SINAPSE_DATA, else ~/.cache/sinapse).
/// </summary>
internal sealed class DataCommand : Command<DataCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<ACTION>"), Description("list or fetch.")]
        public string Action { get; init; } = "list";

        [CommandArgument(1, "[NAME]"), Description("fetch: the data set (see 'sinapse data list').")]
        public string? Name { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        switch (s.Action)
        {
            case "list":
                foreach (var e in DataCatalog.All)
                {
                    var at = DataCatalog.Locate(e.Name);
                    string where = at != null ? $"[green]{Markup.Escape(at)}[/]" : e.DebianPackage != null ? $"[yellow]not fetched: sinapse data fetch {e.Name}[/]" : "[red]missing[/]";
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(e.Name),-14}[/] {where}");
                    AnsiConsole.MarkupLine($"               {Markup.Escape(e.What)}; sinapse {Markup.Escape(e.Use)}");
                }
                AnsiConsole.MarkupLine($"cache folder: {Markup.Escape(ShippedData.CacheDirectory())} (set SINAPSE_DATA to move it)");
                return 0;
            case "fetch":
                var name = s.Name ?? throw new ArgumentException("data fetch: name the data set, e.g. 'sinapse data fetch fashion-mnist' (see 'sinapse data list').");
                var entry = DataCatalog.Get(name) ?? throw new ArgumentException($"data fetch: '{name}' is not a known data set; known: {string.Join(", ", DataCatalog.All.Select(e => e.Name))}.");
                if (entry.DebianPackage == null)
                {
                    var here = DataCatalog.Locate(name);
                    AnsiConsole.MarkupLine(here != null ? $"{Markup.Escape(name)} is shipped with Sinapse: {Markup.Escape(here)}" : $"{Markup.Escape(name)} is shipped with Sinapse, but its folder was not found above this folder or the program's.");
                    return here != null ? 0 : 2;
                }
                if (DataCatalog.Locate(name) is string already && already.StartsWith(ShippedData.CacheDirectory(), StringComparison.Ordinal))
                {
                    ShippedData.Verify(already, entry.Files!.Keys, name, $"sinapse data fetch {name}");
                    AnsiConsole.MarkupLine($"{Markup.Escape(name)} is already fetched and checked: {Markup.Escape(already)}");
                    return 0;
                }
                var dir = DataCatalog.Fetch(entry, m => AnsiConsole.MarkupLine(Markup.Escape(m)));
                AnsiConsole.MarkupLine($"{Markup.Escape(name)}: {entry.Files!.Count} files checked (sha256) in [blue]{Markup.Escape(dir)}[/]; use it with [bold]sinapse {Markup.Escape(entry.Use)}[/]");
                return 0;
            default:
                throw new ArgumentException($"data: '{s.Action}' is not list or fetch.");
        }
    }
}
