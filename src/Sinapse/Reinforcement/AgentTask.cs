using Sinapse.Data;
using Sinapse.Training;

namespace Sinapse.Reinforcement;

/// <summary>
/// A learning agent as a <see cref="TrainingTask{TBatch}"/>: each "batch" is a tick of experience (one environment
/// step, an episode or a rollout, as the agent defines), so <see cref="Sinapse.Training.Trainer.Fit{TBatch}(Sinapse.Training.TrainingTask{TBatch}, Sinapse.Data.DataLoader{TBatch}, Sinapse.Data.DataLoader{TBatch}?, int, Sinapse.Training.Callback[])"/> drives it with its
/// callbacks, progress reporting, History and NaN detection. Ticks report the loss, the environment steps taken
/// (as samples) and, on ticks that end episodes, their mean "return" and "length".
/// </summary>
public abstract class AgentTask : TrainingTask<int>
{
    protected AgentTask(IEnvironment environment) => Environment = environment;

    /// <summary>The environment the agent learns in.</summary>
    public IEnvironment Environment { get; }

    /// <summary>Every finished training episode.</summary>
    public EpisodeLog Episodes { get; } = new();

    /// <summary>Environment steps taken so far.</summary>
    public long Steps { get; protected set; }

    /// <summary>The action the learned policy takes (greedy: no exploration), for evaluation and play.</summary>
    public abstract int Act(float[] observation);

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs of <paramref name="ticksPerEpoch"/> ticks with
    /// <see cref="Sinapse.Training.Trainer.Fit{TBatch}(Sinapse.Training.TrainingTask{TBatch}, Sinapse.Data.DataLoader{TBatch}, Sinapse.Data.DataLoader{TBatch}?, int, Sinapse.Training.Callback[])"/>.
    /// </summary>
    public History Train(int epochs, int ticksPerEpoch, params Callback[] callbacks) =>
        Trainer.Fit(this, new DataLoader<int>(new Ticks(ticksPerEpoch), 1), null, epochs, callbacks);

    /// <summary>The step result of a tick: <paramref name="steps"/> environment steps and the episodes that ended in it.</summary>
    protected StepResult Report(float loss, int steps, int episodesBefore)
    {
        int ended = Episodes.Count - episodesBefore;
        if (ended == 0) return new StepResult(loss, Math.Max(steps, 1));
        double r = 0, l = 0;
        for (int i = episodesBefore; i < Episodes.Count; i++) { r += Episodes.Returns[i]; l += Episodes.Lengths[i]; }
        return new StepResult(loss, Math.Max(steps, 1), null, new Dictionary<string, float> { ["return"] = (float)(r / ended), ["length"] = (float)(l / ended) });
    }
}

/// <summary>Returns, lengths and end steps of finished episodes.</summary>
public sealed class EpisodeLog
{
    public List<float> Returns { get; } = [];
    public List<int> Lengths { get; } = [];

    /// <summary>The environment step at which each episode ended.</summary>
    public List<long> EndSteps { get; } = [];

    public int Count => Returns.Count;

    public void Add(float ret, int length, long endStep) { Returns.Add(ret); Lengths.Add(length); EndSteps.Add(endStep); }

    /// <summary>Mean return of the last <paramref name="n"/> episodes (fewer if fewer ended); NaN before the first.</summary>
    public float MeanReturn(int n = 100)
    {
        if (Count == 0) return float.NaN;
        int k = Math.Min(n, Count);
        double s = 0;
        for (int i = Count - k; i < Count; i++) s += Returns[i];
        return (float)(s / k);
    }

    /// <summary>The moving average of the returns over a window of <paramref name="window"/> episodes.</summary>
    public float[] MovingAverage(int window = 100)
    {
        var m = new float[Count];
        double s = 0;
        for (int i = 0; i < Count; i++)
        {
            s += Returns[i];
            if (i >= window) s -= Returns[i - window];
            m[i] = (float)(s / Math.Min(i + 1, window));
        }
        return m;
    }
}

/// <summary>The ticks of an epoch: a data set of <paramref name="count"/> indices, each batch one of them.</summary>
public sealed class Ticks(int count) : Dataset<int>
{
    public override int Count { get; } = count > 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "Ticks: an epoch needs at least one tick.");
    public override int GetBatch(ReadOnlySpan<int> indices) { CheckIndices(indices); return indices[0]; }
}

/// <summary>
/// A value that moves linearly from <paramref name="Start"/> to <paramref name="End"/> over <paramref name="DecaySteps"/>
/// steps, then stays there: ε of ε-greedy exploration (explore a random action with probability ε, exploit the best
/// known one otherwise), or a decaying learning rate α.
/// </summary>
public sealed record LinearSchedule(float Start, float End, long DecaySteps)
{
    public float At(long step) => DecaySteps <= 0 || step >= DecaySteps ? End : Start + (End - Start) * step / DecaySteps;

    /// <summary>ε-greedy with ε = <see cref="At"/>(<paramref name="step"/>): a random action with probability ε, else <paramref name="greedy"/>'s.</summary>
    public int EpsilonGreedy(long step, int actions, Generator gen, Func<int> greedy) =>
        gen.NextFloat() < At(step) ? gen.NextInt(actions) : greedy();
}
