using System.Diagnostics;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// Progress for commands made of a few long steps (fit an ELM, train an MLP, sweep a capacity curve): on a terminal a
/// progress bar per stage, filled as its work reports; otherwise a line per stage with its seconds.
/// </summary>
internal static class Stages
{
    /// <summary>Runs each stage in turn; a stage calls its argument with its fraction done (0 to 1) when it can.</summary>
    public static void Run(params (string Name, Action<Action<double>> Work)[] stages)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            foreach (var (name, work) in stages)
            {
                var sw = Stopwatch.StartNew();
                work(_ => { });
                Console.WriteLine($"{name}: done in {sw.Elapsed.TotalSeconds:F1} s");
            }
            return;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = stages.Select(s => ctx.AddTask(s.Name, autoStart: false, maxValue: 1)).ToArray();
                for (int i = 0; i < stages.Length; i++)
                {
                    tasks[i].StartTask();
                    var task = tasks[i];
                    stages[i].Work(f => task.Value = Math.Clamp(f, 0, 1));
                    tasks[i].Value = 1;
                    tasks[i].StopTask();
                }
            });
    }
}
