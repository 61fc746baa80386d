using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sinapse.Reinforcement;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse rl --env cartpole|mountaincar --algo dqn|reinforce|a2c</c>: trains an agent until its greedy policy
/// solves the task (confirmed on 100 episodes) or the step or time budget runs out, keeps the best policy, evaluates
/// it on 100 fresh episodes and writes returns.png, episodes.csv, the policy (model.json, model.safetensors) and
/// rl.json. <c>--env gridworld</c> solves the grid world exactly or by tabular learning (<see cref="RlGridWorld"/>).
/// </summary>
internal sealed class RlCommand : Command<RlCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[MODE]"), Description("train (the default) or play: replay the policy of the run folder given by --model.")]
        public string Mode { get; init; } = "train";

        [CommandOption("--model <RUN>"), Description("play: a run folder written by 'sinapse rl'.")]
        public string? Model { get; init; }

        [CommandOption("--every <K>"), Description("play: print the environment every K steps. Default: 1 on the grid world, 25 otherwise; 0 for none.")]
        public int? Every { get; init; }

        [CommandOption("--env <NAME>"), Description("cartpole, mountaincar or gridworld. Default: cartpole.")]
        public string Env { get; init; } = "cartpole";

        [CommandOption("--layout <ROWS>"), Description("gridworld: the grid, rows top to bottom separated by '/': '.' open, '#' wall, 'S' start, '+' exit worth +1, '-' exit worth −1. Default: ...+/.#.-/S... (Russell and Norvig's 4×3).")]
        public string? Layout { get; init; }

        [CommandOption("--slip <P>"), Description("gridworld: probability of slipping to each side of the chosen move. Default: 0.1.")]
        public double Slip { get; init; } = 0.1;

        [CommandOption("--living-reward <R>"), Description("gridworld: reward of every step. Default: -0.04.")]
        public double LivingReward { get; init; } = -0.04;

        [CommandOption("--algo <NAME>"), Description("dqn, reinforce or a2c (cartpole, mountaincar); value-iteration, policy-iteration, q-learning or sarsa (gridworld). Default: dqn, or q-learning on the grid world.")]
        public string? Algo { get; init; }

        [CommandOption("--steps <N>"), Description("Budget of environment steps. Default: 100000 for dqn (120000 on mountaincar), 500000 for reinforce and a2c.")]
        public long? Steps { get; init; }

        [CommandOption("--episodes <N>"), Description("q-learning and sarsa: training episodes (default 20000); play: episodes to play (default 1).")]
        public int? Episodes { get; init; }

        [CommandOption("--time-limit <SECONDS>"), Description("Wall-clock budget of training, evaluations included. Default: 600.")]
        public double TimeLimit { get; init; } = 600;

        [CommandOption("--target <RETURN>"), Description("Mean return that counts as solved. Default: 475 for cartpole, -110 for mountaincar.")]
        public float? Target { get; init; }

        [CommandOption("--lr <RATE>"), Description("Learning rate. Default: 2.3e-3 for dqn, 1e-3 for reinforce and a2c; a constant α for q-learning and sarsa (default: 1/n^0.8 per state-action pair for q-learning, 0.1 falling to 0.005 for sarsa).")]
        public float? Lr { get; init; }

        [CommandOption("--gamma <G>"), Description("Discount γ. Default: 0.99 (1 for the grid world's exact methods).")]
        public float? Gamma { get; init; }

        [CommandOption("--double"), Description("dqn: double DQN targets.")]
        public bool Double { get; init; }

        [CommandOption("--seed <N>"), Description("Seed. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--out <DIR>"), Description("Run folder. Default: runs/rl-<date-time>.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Mode == "play") return RlPlay.Run(s);
        if (s.Mode != "train") throw new ArgumentException($"rl: '{s.Mode}' is not train or play.");
        var env = s.Env == "gridworld" ? MakeGrid(s.Layout, s.Slip, s.LivingReward, s.Gamma) : Environments.Create(s.Env);
        var outDir = RunFolder.Choose(s.Out, "rl");
        if (env is GridWorld grid) return RlGridWorld.Run(grid, s, outDir);
        string algo = s.Algo ?? "dqn";
        var pg = new PolicyGradientOptions();
        if (s.Lr is float lr) pg = pg with { LearningRate = lr };
        if (s.Gamma is float g) pg = pg with { Gamma = g };
        var dqn = (env is MountainCar ? DqnOptions.MountainCar : new DqnOptions()) with { DoubleDqn = s.Double };
        if (s.Lr is float lr2) dqn = dqn with { LearningRate = lr2 };
        if (s.Gamma is float g2) dqn = dqn with { Gamma = g2 };
        (AgentTask task, int ticks) = algo switch
        {
            "dqn" => ((AgentTask)new DqnTask(env, dqn, s.Seed), 2000),
            "reinforce" => (new ReinforceTask(env, pg, s.Seed), 10),
            "a2c" => (new A2cTask(() => Environments.Create(s.Env), pg, s.Seed), 125),
            _ => throw new ArgumentException($"--algo: '{algo}' is not dqn, reinforce or a2c (value-iteration, policy-iteration, q-learning and sarsa need --env gridworld)."),
        };
        long budget = s.Steps ?? (algo != "dqn" ? 500_000 : env is MountainCar ? 120_000 : 100_000);
        float? target = s.Target ?? (env is CartPole ? 475f : env is MountainCar ? -110f : null);
        Directory.CreateDirectory(outDir);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] {algo} on {env.Name}: observations {Markup.Escape(env.ObservationSpace.ToString())}, actions {env.ActionSpace}; " +
            $"budget {budget:N0} steps or {s.TimeLimit:0} s; solved at a mean return of {(target?.ToString(CultureInfo.InvariantCulture) ?? "-")} over 100 episodes");

        var eval = new PolicyEvaluation(task, Environments.Create(s.Env), episodes: 10, solvedAt: target, confirmEpisodes: 100, seed: s.Seed * 7919 + 1);
        var clock = Stopwatch.StartNew();
        History history = null!;
        void Train(Action<TrainingContext> report)
        {
            var watch = new LambdaCallback
            {
                BatchEnd = (ctx, _) => { if (clock.Elapsed.TotalSeconds >= s.TimeLimit) ctx.StopTraining = true; },
                EpochEnd = (ctx, _) => report(ctx),
            };
            history = task.Train(1_000_000, ticks, new StepBudget(task, budget), eval, watch);
        }
        string Line() => $"{task.Steps,9:N0} steps, {task.Episodes.Count,6:N0} episodes, mean return (last 100) {task.Episodes.MeanReturn(),7:F1}, greedy {eval.Points.LastOrDefault().MeanReturn,6:F1}";
        if (AnsiConsole.Profile.Capabilities.Interactive)
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask("starting", maxValue: budget);
                    Train(_ => { bar.Value = Math.Min(task.Steps, budget); bar.Description = Markup.Escape(Line()); });
                    bar.Value = budget;
                });
        else Train(_ => Console.WriteLine($"{clock.Elapsed.TotalSeconds,6:F0} s {Line()}"));
        double seconds = clock.Elapsed.TotalSeconds;

        // The kept policy (the best evaluation's weights), scored on 100 episodes it has never been selected on.
        var final = Environments.Create(s.Env).Evaluate(task.Act, 100, s.Seed * 104729 + 3);
        float mean = final.Average(), min = final.Min(), max = final.Max();
        bool solved = target is float t && mean >= t;
        var spec = task is DqnTask d ? d.Spec : ((PolicyGradientTask)task).PolicySpec;
        spec.Save(Path.Combine(outDir, RunFolder.ModelJson));
        Sinapse.IO.ModuleSerialization.Save(task is DqnTask dq ? dq.QNetwork : ((PolicyGradientTask)task).Policy, Path.Combine(outDir, RunFolder.Weights));
        WriteEpisodes(task.Episodes, Path.Combine(outDir, "episodes.csv"));
        ReturnsPlot(task.Episodes, eval.Points, target, $"{algo} on {env.Name}", Path.Combine(outDir, "returns.png"));
        RunFolder.WriteMetrics(Path.Combine(outDir, RlPlay.RlJson), [
            ("env", s.Env), ("algo", algo), ("seed", s.Seed), ("steps", task.Steps), ("episodes", task.Episodes.Count),
            ("seconds", seconds), ("solved_in_training_at_steps", eval.Solved?.Steps ?? -1L), ("solved_in_training_at_seconds", eval.Solved?.Seconds ?? -1.0),
            ("best_epoch", eval.BestEpoch), ("eval_episodes", final.Length), ("eval_mean_return", mean), ("eval_min_return", min), ("eval_max_return", max),
            ("solved", solved ? "yes" : "no")]);
        _ = history;
        AnsiConsole.MarkupLine($"trained {task.Steps:N0} steps ({task.Episodes.Count:N0} episodes) in {seconds:F0} s" +
            (eval.Solved is { } p ? $"; solved during training at {p.Steps:N0} steps ({p.Seconds:F0} s)" : "; not solved during training"));
        AnsiConsole.MarkupLine($"greedy policy over 100 fresh episodes: mean return [bold {(solved ? "green" : "yellow")}]{mean:F1}[/] (min {min:F0}, max {max:F0})" +
            (target is float tt ? $", {(solved ? "solved" : "not solved")} (≥ {tt})" : ""));
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]  (sinapse rl play --model {Markup.Escape(outDir)})");
        return 0;
    }

    /// <summary>The grid world of --layout, --slip, --living-reward and --gamma (γ = 1 by default).</summary>
    internal static GridWorld MakeGrid(string? layout, double slip, double livingReward, double? gamma) =>
        new((layout ?? "...+/.#.-/S...").Split('/'), slip, livingReward, gamma is double g ? Math.Round(g, 6) : 1.0);

    static void WriteEpisodes(EpisodeLog log, string path)
    {
        var sb = new StringBuilder("episode,return,length,end_step\n");
        for (int i = 0; i < log.Count; i++)
            sb.Append(CultureInfo.InvariantCulture, $"{i + 1},{log.Returns[i]},{log.Lengths[i]},{log.EndSteps[i]}\n");
        RunFolder.WriteText(path, sb.ToString());
    }

    /// <summary>Each training episode's return, their moving average over 100, the greedy evaluations and the target.</summary>
    internal static void ReturnsPlot(EpisodeLog log, IReadOnlyList<EvaluationPoint> evals, float? target, string title, string path)
    {
        var curves = new Dictionary<string, List<(double X, double Y)>>
        {
            ["moving average of 100"] = log.MovingAverage(100).Select((v, i) => ((double)i + 1, (double)v)).ToList(),
        };
        if (evals.Count > 0)
            curves["greedy policy (evaluation)"] = evals.Select(e => ((double)Math.Max(1, log.EndSteps.Count(x => x <= e.Steps)), (double)e.MeanReturn)).ToList();
        Plots.Curves(curves, title, "episode", "return", path, target is float t ? (t, "solved") : null,
            scatter: (Enumerable.Range(1, log.Count).Select(i => (float)i).ToArray(), log.Returns.ToArray(), "episode return"),
            legend: target is > 0 ? ScottPlot.Alignment.UpperLeft : ScottPlot.Alignment.LowerRight);
    }
}
