using System.Globalization;
using System.Text;
using Sinapse.IO;
using Sinapse.Reinforcement;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse rl --env gridworld --algo value-iteration|policy-iteration|q-learning|sarsa</c>: the exact solution
/// by dynamic programming, or one learned from experience and compared with it state by state; the values and the
/// policy drawn in gridworld.png.
/// </summary>
internal static class RlGridWorld
{
    public static int Run(GridWorld grid, RlCommand.Settings s, string outDir)
    {
        string algo = s.Algo ?? "q-learning";
        int episodes = s.Episodes ?? 20_000;
        Directory.CreateDirectory(outDir);
        var optimal = DynamicProgramming.ValueIteration(grid);
        double[] values; int[] policy; string what;
        TabularTask? task = null;
        switch (algo)
        {
            case "value-iteration":
                (values, policy, what) = (optimal.Values, optimal.Policy, $"value iteration: {optimal.Iterations} sweeps");
                break;
            case "policy-iteration":
                var pi = DynamicProgramming.PolicyIteration(grid);
                (values, policy, what) = (pi.Values, pi.Policy, $"policy iteration: {pi.Iterations} improvements");
                break;
            case "q-learning" or "sarsa":
                // Q-learning's default rates are per pair, 1/n^0.8 (see TabularTask.VisitExponent); SARSA's fall from 0.1 to 0.005.
                var alpha = s.Lr is float lr ? new LinearSchedule(lr, lr, 0) : new LinearSchedule(0.1f, 0.005f, episodes);
                task = new TabularTask(grid, algo == "sarsa" ? TdMethod.Sarsa : TdMethod.QLearning, alpha, s.Gamma ?? (float)grid.Discount,
                    new LinearSchedule(1f, 0.2f, episodes / 4), s.Seed) { VisitExponent = s.Lr is null && algo == "q-learning" ? 0.8f : null };
                int ticks = Math.Max(1, episodes / 100);
                var t = task;
                Stages.Run(($"{algo}, {episodes:N0} episodes", p => t.Train(Math.Max(1, episodes / ticks), ticks,
                    new Sinapse.Training.LambdaCallback { EpochEnd = (ctx, _) => p(ctx.Epoch / (double)Math.Max(1, episodes / ticks)) })));
                policy = task.Table.GreedyPolicy();
                values = new double[grid.StateCount];
                for (int st = 0; st < grid.StateCount; st++)
                {
                    if (grid.IsTerminal(st)) { policy[st] = -1; continue; }
                    values[st] = task.Table.Row(st)[policy[st]];
                }
                what = $"{algo}: {task.Episodes.Count:N0} episodes, {task.Steps:N0} steps, mean return of the last 100 {task.Episodes.MeanReturn():F3}";
                task.Table.Save(Path.Combine(outDir, "q.safetensors"));
                break;
            default:
                throw new ArgumentException($"--algo: '{algo}' is not value-iteration, policy-iteration, q-learning or sarsa (dqn, reinforce and a2c need --env cartpole or mountaincar).");
        }
        int open = Enumerable.Range(0, grid.StateCount).Count(st => !grid.IsTerminal(st));
        int agree = Enumerable.Range(0, grid.StateCount).Count(st => !grid.IsTerminal(st) && policy[st] == optimal.Policy[st]);
        double worst = Enumerable.Range(0, grid.StateCount).Where(st => !grid.IsTerminal(st)).Max(st => Math.Abs(values[st] - optimal.Values[st]));
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] {Markup.Escape(grid.Name)} (slip {grid.Slip}, living reward {grid.LivingReward}, γ {grid.Discount}), {Markup.Escape(what)}");
        AnsiConsole.WriteLine(grid.Describe(values, policy));
        AnsiConsole.MarkupLine($"policy equals the optimal one (value iteration) in [bold {(agree == open ? "green" : "yellow")}]{agree} of {open}[/] states; largest value difference {worst:F4}");
        Pictures.GridWorld(grid, values, policy, Path.Combine(outDir, "gridworld.png"), $"{grid.Name}: {what.Split(':')[0]} — values and policy");
        var md = new StringBuilder($"# {grid.Name}, {what}\n\n```\n{grid.Describe(values, policy)}```\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Optimal (value iteration):\n\n```\n{grid.Describe(optimal.Values, optimal.Policy)}```\n\nAgreement: {agree} of {open} states; largest value difference {worst:F4}.\n");
        RunFolder.WriteText(Path.Combine(outDir, "gridworld.md"), md.ToString());
        RunFolder.WriteMetrics(Path.Combine(outDir, RlPlay.RlJson), [("env", "gridworld"), ("algo", algo), ("seed", s.Seed),
            ("layout", string.Join('/', grid.Layout)), ("slip", grid.Slip), ("living_reward", grid.LivingReward), ("discount", grid.Discount),
            ("states_agreeing_with_optimal", agree), ("states", open), ("largest_value_difference", worst), ("episodes", task?.Episodes.Count ?? 0)]);
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }
}
