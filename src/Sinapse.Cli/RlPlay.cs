using System.Text.Json;
using Sinapse.IO;
using Sinapse.Reinforcement;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse rl play --model RUN</c>: plays episodes with the policy a <c>sinapse rl</c> run saved, printing the
/// environment every few steps and each episode's return; for CartPole and MountainCar it also draws the first
/// episode's state over time in RUN/play.png.
/// </summary>
internal static class RlPlay
{
    public const string RlJson = "rl.json";

    public static int Run(RlCommand.Settings s)
    {
        var model = s.Model ?? throw new ArgumentException("rl play: --model: give the run folder written by 'sinapse rl'.");
        int count = s.Episodes ?? 1;
        var jsonPath = Path.Combine(model, RlJson);
        if (!File.Exists(jsonPath)) throw new FileNotFoundException($"'{jsonPath}' not found; --model takes a run folder written by 'sinapse rl'.", jsonPath);
        string envName, algo;
        IEnvironment env;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
            var r = doc.RootElement;
            envName = r.GetProperty("env").GetString() ?? "";
            algo = r.GetProperty("algo").GetString() ?? "";
            // The grid world is rebuilt as it was learned (layout, slip, rewards, discount).
            env = envName == "gridworld" && r.TryGetProperty("layout", out var layout)
                ? RlCommand.MakeGrid(layout.GetString(), r.GetProperty("slip").GetDouble(), r.GetProperty("living_reward").GetDouble(), r.GetProperty("discount").GetDouble())
                : Environments.Create(envName);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{jsonPath}: expected a JSON object with \"env\" and \"algo\" strings ({e.Message}).", e);
        }
        Func<float[], int> policy = Policy(env, algo, model);
        int every = s.Every ?? (env is GridWorld ? 1 : 25);
        var trace = new List<float[]>();
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] {Markup.Escape(algo)} policy from {Markup.Escape(model)} on {Markup.Escape(env.Name)}");
        var returns = new List<float>();
        for (int e = 0; e < count; e++)
        {
            int step = 0;
            var (ret, len) = env.PlayEpisode(policy, e == 0 ? s.Seed : null, (obs, a, o) =>
            {
                step++;
                if (e == 0) trace.Add(o.Observation);
                if (every > 0 && (step % every == 0 || o.Done)) Console.WriteLine(env.Render().TrimEnd());
            });
            returns.Add(ret);
            AnsiConsole.MarkupLine($"episode {e + 1}: return [bold]{ret:F2}[/] in {len} steps");
        }
        if (count > 1) AnsiConsole.MarkupLine($"mean return {returns.Average():F2} over {count} episodes");
        if (env.ObservationSpace is BoxSpace box && trace.Count > 0)
        {
            string[] names = env is CartPole ? ["cart position", "cart velocity", "pole angle (rad)", "pole angular velocity"] : ["position", "velocity"];
            var curves = Enumerable.Range(0, box.Size).ToDictionary(i => names[i], i => trace.Select((o, t) => ((double)t + 1, (double)o[i])).ToList());
            var png = Path.Combine(model, "play.png");
            Plots.Curves(curves, $"{algo} on {env.Name}: one episode", "step", "state", png);
            AnsiConsole.MarkupLine($"state over time: [blue]{Markup.Escape(Path.GetFullPath(png))}[/]");
        }
        return 0;
    }

    static Func<float[], int> Policy(IEnvironment env, string algo, string dir)
    {
        if (env is GridWorld grid)
        {
            if (algo is "value-iteration" or "policy-iteration")
            {
                var best = DynamicProgramming.ValueIteration(grid).Policy;
                return o => best[(int)o[0]];
            }
            var table = new QTable(grid.StateCount, grid.ActionSpace.Count);
            table.Load(Path.Combine(dir, "q.safetensors"));
            return o => table.Greedy((int)o[0]);
        }
        var (net, _) = RunFolder.LoadModel(dir);
        return o => Networks.ArgMax(net, o);
    }
}
