using Sinapse.Cli;

namespace Sinapse.Tests.Support;

/// <summary>Runs the sinapse command in-process, capturing its output, and makes scratch folders.</summary>
internal static class CliRunner
{
    public static string Temp() { var d = Path.Combine(Path.GetTempPath(), "sinapse-cli", Guid.NewGuid().ToString("N")); Directory.CreateDirectory(d); return d; }

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var so = Console.Out; var se = Console.Error;
        var o = new StringWriter(); var e = new StringWriter();
        Console.SetOut(o); Console.SetError(e);
        try { return (Program.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(so); Console.SetError(se); Settings.Threads = Environment.ProcessorCount; Settings.BatchBlocks = 1; }
    }
}
