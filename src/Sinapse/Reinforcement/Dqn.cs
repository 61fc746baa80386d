using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Reinforcement;

/// <summary>Settings of a <see cref="DqnTask"/>; the defaults are tuned for CartPole.</summary>
public sealed record DqnOptions
{
    /// <summary>Hidden layer sizes of the Q-network (ReLU).</summary>
    public int[] Hidden { get; init; } = [256, 256];
    public float LearningRate { get; init; } = 2.3e-3f;
    /// <summary>γ, the discount.</summary>
    public float Gamma { get; init; } = 0.99f;
    public int BatchSize { get; init; } = 64;
    public int BufferSize { get; init; } = 100_000;
    /// <summary>Environment steps of pure exploration before the first update.</summary>
    public int LearningStarts { get; init; } = 1000;
    /// <summary>Environment steps between rounds of updates.</summary>
    public int TrainFrequency { get; init; } = 256;
    /// <summary>Gradient steps per round.</summary>
    public int GradientSteps { get; init; } = 128;
    /// <summary>Environment steps between copies of the online network into the target network.</summary>
    public int TargetUpdateInterval { get; init; } = 10;
    /// <summary>Exploration, decayed per environment step.</summary>
    public LinearSchedule Epsilon { get; init; } = new(1f, 0.04f, 8000);
    /// <summary>Gradients are clipped to this joint L2 norm.</summary>
    public float MaxGradNorm { get; init; } = 10f;
    /// <summary>Double DQN (van Hasselt et al. 2016): the online network picks the next action, the target network values it.</summary>
    public bool DoubleDqn { get; init; }

    /// <summary>
    /// Settings for MountainCar, whose only reward is −1 per step until the flag: more frequent updates, a larger
    /// batch, a slower target and γ = 0.98 (the RL Baselines3 Zoo's tuned values).
    /// </summary>
    public static DqnOptions MountainCar => new()
    {
        LearningRate = 4e-3f, Gamma = 0.98f, BatchSize = 128, BufferSize = 10_000, TrainFrequency = 16, GradientSteps = 8,
        TargetUpdateInterval = 600, Epsilon = new LinearSchedule(1f, 0.07f, 24_000),
    };
}

/// <summary>
/// Deep Q-learning (Mnih et al. 2015): a Q-network scores every action of an observation; transitions go into a
/// <see cref="ReplayBuffer"/>; each update regresses Q(s, a) on r + γ (1 − terminated) maxₐ' Q_target(s', a') with the
/// Huber loss, gradient clipping and Adam; a target network, a periodic copy of the online one, keeps the target
/// still. One tick is one environment step (ε-greedy), followed by a round of updates every
/// <see cref="DqnOptions.TrainFrequency"/> steps. The loss reported is the latest update's.
/// </summary>
public sealed class DqnTask : AgentTask
{
    readonly Sequential online, target;
    readonly ReplayBuffer buffer;
    readonly Generator gen;
    readonly HuberLoss huber = new();
    readonly Tensor s, a, r, s2, done;
    readonly ulong seed;
    float[] obs = [];
    float episodeReturn; int episodeLength;
    float lastLoss;

    public DqnTask(IEnvironment environment, DqnOptions? options = null, ulong seed = 0) : base(environment)
    {
        if (environment.ObservationSpace is not BoxSpace box)
            throw new ArgumentException($"DqnTask: {environment.Name} observes {environment.ObservationSpace}; the Q-network needs vector observations (a Box space).");
        Options = options ?? new DqnOptions();
        this.seed = seed;
        Spec = ModelSpec.Mlp([box.Size], Options.Hidden, environment.ActionSpace.Count);
        var init = new Generator(seed);
        online = Spec.Build(init);
        target = Spec.Build(init);
        Networks.CopyWeights(online, target);
        Optimizer = new Adam(online.Parameters(), Options.LearningRate);
        buffer = new ReplayBuffer(Options.BufferSize, box.Size);
        gen = new Generator(seed + 1);
        int b = Options.BatchSize;
        s = Tensor.Zeros(b, box.Size); s2 = Tensor.Zeros(b, box.Size);
        a = Tensor.Zeros(b, 1); r = Tensor.Zeros(b, 1); done = Tensor.Zeros(b, 1);
    }

    public DqnOptions Options { get; }

    /// <summary>The Q-network's description (model.json).</summary>
    public ModelSpec Spec { get; }

    /// <summary>The online Q-network: (N, observation) → (N, actions).</summary>
    public Sequential QNetwork => online;
    public override Module Model => online;
    public override Optimizer Optimizer { get; }

    public override int Act(float[] observation) => Networks.ArgMax(online, observation);

    public override StepResult TrainStep(int tick)
    {
        int before = Episodes.Count;
        if (obs.Length == 0) obs = Environment.Reset(seed);
        int action = Options.Epsilon.EpsilonGreedy(Steps, Environment.ActionSpace.Count, gen, () => Act(obs));
        var o = Environment.Step(action);
        buffer.Add(obs, action, o.Reward, o.Observation, o.Terminated);
        Steps++; episodeReturn += o.Reward; episodeLength++;
        obs = o.Observation;
        if (o.Done)
        {
            Episodes.Add(episodeReturn, episodeLength, Steps);
            episodeReturn = 0; episodeLength = 0;
            obs = Environment.Reset();
        }
        if (Steps >= Options.LearningStarts && Steps % Options.TrainFrequency == 0)
            for (int i = 0; i < Options.GradientSteps; i++) lastLoss = Update();
        if (Steps % Options.TargetUpdateInterval == 0) Networks.CopyWeights(online, target);
        return Report(lastLoss, 1, before);
    }

    float Update()
    {
        buffer.Sample(gen, s, a, r, s2, done);
        Tensor y;
        using (Autograd.NoGrad())
        {
            var nextQ = target.Call(s2);                                  // (B, A)
            var best = Options.DoubleDqn
                ? nextQ.Gather(1, online.Call(s2).ArgMax(1, keepDim: true)) // (B, 1)
                : nextQ.Max(1, keepDim: true);
            y = r + (1f - done) * best * Options.Gamma;
        }
        Optimizer.ZeroGrad();
        var q = online.Call(s).Gather(1, a);                              // (B, 1)
        var loss = huber.Call(q, y);
        float lv = loss.Item();
        if (!float.IsFinite(lv)) return lv;
        loss.Backward();
        GradClip.ClipNorm(online.Parameters(), Options.MaxGradNorm);
        Optimizer.Step();
        return lv;
    }
}

/// <summary>Small helpers the agents share.</summary>
public static class Networks
{
    /// <summary>Copies every parameter and buffer of <paramref name="from"/> into <paramref name="to"/> (same architecture).</summary>
    public static void CopyWeights(Module from, Module to)
    {
        using var _ = Autograd.NoGrad();
        var src = from.StateDict().ToList();
        var dst = to.StateDict().ToList();
        if (src.Count != dst.Count) throw new ArgumentException($"CopyWeights: {src.Count} tensors into {dst.Count}; the networks differ.");
        for (int i = 0; i < src.Count; i++) dst[i].Value.CopyFrom(src[i].Value);
    }

    /// <summary>The index of the largest output of <paramref name="net"/> for one observation.</summary>
    public static int ArgMax(Module<Tensor, Tensor> net, float[] observation)
    {
        using var _ = Autograd.NoGrad();
        var o = net.Call(Tensor.FromArray(observation, 1, observation.Length)).AsReadOnlySpan();
        int best = 0;
        for (int i = 1; i < o.Length; i++) if (o[i] > o[best]) best = i;
        return best;
    }
}
