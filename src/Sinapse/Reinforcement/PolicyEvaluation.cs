using System.Diagnostics;
using Sinapse.Training;

namespace Sinapse.Reinforcement;

/// <summary>One evaluation of the greedy policy during training.</summary>
public readonly record struct EvaluationPoint(int Epoch, long Steps, double Seconds, float MeanReturn, int Episodes);

/// <summary>
/// Evaluates an agent's greedy policy after every epoch on its own copy of the environment
/// (<paramref name="episodes"/> episodes, seeded) and keeps the best weights, restored when training ends. With a
/// <paramref name="solvedAt"/> threshold, an evaluation that reaches it is confirmed on
/// <paramref name="confirmEpisodes"/> fresh episodes; if they reach it too, the task counts as solved and training
/// stops there. Evaluation time counts in the run's time.
/// </summary>
public sealed class PolicyEvaluation(AgentTask agent, IEnvironment environment, int episodes = 10, float? solvedAt = null,
    int confirmEpisodes = 100, ulong seed = 1_000_000) : Callback
{
    readonly Stopwatch clock = new();
    float[][]? bestWeights;

    /// <summary>Every evaluation, in order (confirmations included, with their episode count).</summary>
    public List<EvaluationPoint> Points { get; } = [];
    public float BestMean { get; private set; } = float.NegativeInfinity;
    public int BestEpoch { get; private set; }

    /// <summary>The confirmation that solved the task, if one did.</summary>
    public EvaluationPoint? Solved { get; private set; }

    public override void OnTrainBegin(TrainingContext ctx) => clock.Restart();

    public override void OnEpochEnd(TrainingContext ctx, EpochLogs logs)
    {
        ctx.Model.Eval();
        try
        {
            float mean = Mean(environment.Evaluate(agent.Act, episodes, seed + (ulong)ctx.Epoch));
            Points.Add(new(ctx.Epoch, agent.Steps, clock.Elapsed.TotalSeconds, mean, episodes));
            bool confirmed = false;
            if (solvedAt is float target && mean >= target)
            {
                float check = Mean(environment.Evaluate(agent.Act, confirmEpisodes, seed + 1_000_000 + (ulong)ctx.Epoch));
                var point = new EvaluationPoint(ctx.Epoch, agent.Steps, clock.Elapsed.TotalSeconds, check, confirmEpisodes);
                Points.Add(point);
                if (check >= target) { Solved = point; ctx.StopTraining = true; confirmed = true; mean = check; }
            }
            if (mean > BestMean || confirmed)
            {
                BestMean = mean; BestEpoch = ctx.Epoch;
                bestWeights = ctx.Model.StateDict().Select(p => p.Value.ToArray()).ToArray();
            }
        }
        finally { ctx.Model.Train(); }
    }

    public override void OnTrainEnd(TrainingContext ctx)
    {
        if (bestWeights == null) return;
        int i = 0;
        foreach (var (_, p) in ctx.Model.StateDict()) bestWeights[i++].CopyTo(p.AsSpan());
    }

    static float Mean(float[] v) => v.Length == 0 ? float.NaN : (float)v.Average(x => (double)x);
}

/// <summary>Stops training once the agent has taken <paramref name="steps"/> environment steps (checked after every tick).</summary>
public sealed class StepBudget(AgentTask agent, long steps) : Callback
{
    public override void OnBatchEnd(TrainingContext ctx, BatchLogs logs)
    {
        if (agent.Steps >= steps) ctx.StopTraining = true;
    }
}
