using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Reinforcement;

/// <summary>Settings of the policy-gradient agents (<see cref="ReinforceTask"/>, <see cref="A2cTask"/>); the defaults are tuned for CartPole.</summary>
public sealed record PolicyGradientOptions
{
    /// <summary>Hidden layer sizes of the policy and of the value network (each its own).</summary>
    public int[] Hidden { get; init; } = [64, 64];
    /// <summary>Their activation (a registered layer name).</summary>
    public string Activation { get; init; } = "Tanh";
    /// <summary>Adam's learning rate for both networks.</summary>
    public float LearningRate { get; init; } = 1e-3f;
    /// <summary>γ, the discount.</summary>
    public float Gamma { get; init; } = 0.99f;
    /// <summary>Weight of the value network's squared error in the loss.</summary>
    public float ValueCoefficient { get; init; } = 0.5f;
    /// <summary>Weight of the entropy bonus, which keeps the policy from committing too early.</summary>
    public float EntropyCoefficient { get; init; } = 0.01f;
    /// <summary>Gradients are clipped to this joint L2 norm.</summary>
    public float MaxGradNorm { get; init; } = 0.5f;
    /// <summary>REINFORCE: episodes per update.</summary>
    public int EpisodesPerUpdate { get; init; } = 4;
    /// <summary>A2C: environments run side by side.</summary>
    public int Environments { get; init; } = 8;
    /// <summary>A2C: steps of each environment per update (the n of n-step returns).</summary>
    public int StepsPerUpdate { get; init; } = 5;
}

/// <summary>
/// What the policy-gradient agents share: a policy network (observation → action logits, a softmax policy) and a
/// value network (observation → V(s), the baseline), both trained by one Adam over the loss
/// −mean(log π(a|s) · A) + c_v · mean((R − V(s))²) − c_H · mean(entropy).
/// </summary>
public abstract class PolicyGradientTask : AgentTask
{
    readonly Generator gen;

    protected PolicyGradientTask(IEnvironment environment, PolicyGradientOptions? options, ulong seed) : base(environment)
    {
        if (environment.ObservationSpace is not BoxSpace box)
            throw new ArgumentException($"{GetType().Name}: {environment.Name} observes {environment.ObservationSpace}; the networks need vector observations (a Box space).");
        Options = options ?? new PolicyGradientOptions();
        Seed = seed;
        var init = new Generator(seed);
        PolicySpec = ModelSpec.Mlp([box.Size], Options.Hidden, environment.ActionSpace.Count, Options.Activation);
        Policy = PolicySpec.Build(init);
        Value = ModelSpec.Mlp([box.Size], Options.Hidden, 1, Options.Activation).Build(init);
        Agent = new ActorCritic(Policy, Value);
        Optimizer = new Adam(Agent.Parameters(), Options.LearningRate);
        gen = new Generator(seed + 1);
    }

    public PolicyGradientOptions Options { get; }
    public ulong Seed { get; }

    /// <summary>The policy network's description (model.json).</summary>
    public ModelSpec PolicySpec { get; }

    /// <summary>(N, observation) → (N, actions) logits.</summary>
    public Sequential Policy { get; }

    /// <summary>(N, observation) → (N, 1) state values.</summary>
    public Sequential Value { get; }

    /// <summary>Both networks, as one module (what checkpoints save).</summary>
    public ActorCritic Agent { get; }
    public override Module Model => Agent;
    public override Optimizer Optimizer { get; }

    /// <summary>The most probable action.</summary>
    public override int Act(float[] observation) => Networks.ArgMax(Policy, observation);

    /// <summary>Draws an action for each row of <paramref name="observations"/> (N, obs) from the policy's softmax.</summary>
    protected void SampleActions(Tensor observations, Span<int> actions)
    {
        using var _ = Autograd.NoGrad();
        var p = Policy.Call(observations).Softmax(1).AsReadOnlySpan();
        int k = Environment.ActionSpace.Count;
        for (int i = 0; i < actions.Length; i++)
        {
            float u = gen.NextFloat(), acc = 0;
            int a = k - 1;
            for (int j = 0; j < k; j++) { acc += p[i * k + j]; if (u < acc) { a = j; break; } }
            actions[i] = a;
        }
    }

    /// <summary>
    /// One update on a batch: observations (N, obs), the actions taken, the return targets R (N) and whether to
    /// normalise the advantages R − V(s). Returns the loss.
    /// </summary>
    protected float Update(Tensor observations, int[] actions, float[] returns, bool normalizeAdvantages)
    {
        int n = actions.Length;
        var act = Tensor.FromArray(actions.Select(x => (float)x).ToArray(), n, 1);
        var ret = Tensor.FromArray(returns, n, 1);
        Optimizer.ZeroGrad();
        var logp = Policy.Call(observations).LogSoftmax(1);                 // (N, A)
        var v = Value.Call(observations);                                   // (N, 1)
        var adv = ret - v.Detach();                                         // (N, 1)
        if (normalizeAdvantages && n > 1) adv = (adv - adv.Mean()) / (adv.Std() + 1e-8f);
        var policyLoss = -(logp.Gather(1, act) * adv).Mean();
        var valueLoss = (ret - v).Pow(2f).Mean();
        var entropy = -(logp.Exp() * logp).Sum(1).Mean();
        var loss = policyLoss + valueLoss * Options.ValueCoefficient - entropy * Options.EntropyCoefficient;
        float lv = loss.Item();
        if (!float.IsFinite(lv)) return lv;
        loss.Backward();
        GradClip.ClipNorm(Agent.Parameters(), Options.MaxGradNorm);
        Optimizer.Step();
        return lv;
    }

    /// <summary>V(s) of each row of <paramref name="observations"/>, without gradients.</summary>
    protected float[] Values(Tensor observations)
    {
        using var _ = Autograd.NoGrad();
        return Value.Call(observations).ToArray();
    }
}

/// <summary>The policy and value networks side by side, so they save and load as one module ("policy.*", "value.*").</summary>
public sealed class ActorCritic : Module
{
    public ActorCritic(Sequential policy, Sequential value)
    {
        Policy = RegisterModule("policy", policy);
        Value = RegisterModule("value", value);
    }

    public Sequential Policy { get; }
    public Sequential Value { get; }
}

/// <summary>
/// REINFORCE with a baseline (Williams 1992): play <see cref="PolicyGradientOptions.EpisodesPerUpdate"/> whole
/// episodes with the stochastic policy, then push up the log-probability of each action in proportion to its
/// return-to-go minus the value network's estimate (advantages normalised per batch). One tick is one such batch.
/// </summary>
public sealed class ReinforceTask(IEnvironment environment, PolicyGradientOptions? options = null, ulong seed = 0)
    : PolicyGradientTask(environment, options, seed)
{
    public override StepResult TrainStep(int tick)
    {
        int before = Episodes.Count, d = Environment.ObservationSize();
        var obs = new List<float>(); var acts = new List<int>(); var rets = new List<float>();
        Span<int> one = stackalloc int[1];
        for (int e = 0; e < Options.EpisodesPerUpdate; e++)
        {
            var o = Environment.Reset(Episodes.Count == 0 ? Seed : null);
            var rewards = new List<float>();
            while (true)
            {
                SampleActions(Tensor.FromArray(o, 1, d), one);
                obs.AddRange(o); acts.Add(one[0]);
                var step = Environment.Step(one[0]);
                rewards.Add(step.Reward);
                o = step.Observation;
                if (step.Done) break;
            }
            // Returns-to-go G_t = r_t + γ G_{t+1}, the end of the episode counting as terminal.
            var g = new float[rewards.Count];
            float acc = 0;
            for (int t = rewards.Count - 1; t >= 0; t--) g[t] = acc = rewards[t] + Options.Gamma * acc;
            rets.AddRange(g);
            Steps += rewards.Count;
            Episodes.Add(rewards.Sum(), rewards.Count, Steps);
        }
        float loss = Update(Tensor.FromArray(obs.ToArray(), acts.Count, d), acts.ToArray(), rets.ToArray(), normalizeAdvantages: true);
        return Report(loss, acts.Count, before);
    }
}

/// <summary>
/// Advantage actor-critic, the synchronous A3C (Mnih et al. 2016): <see cref="PolicyGradientOptions.Environments"/>
/// copies of the environment advance <see cref="PolicyGradientOptions.StepsPerUpdate"/> steps each; n-step returns
/// bootstrap from the value network (also at a time-limit truncation, which is not a real end); one update on all
/// those steps. One tick is one such rollout.
/// </summary>
public sealed class A2cTask : PolicyGradientTask
{
    readonly IEnvironment[] envs;
    readonly float[][] current;
    readonly float[] episodeReturn;
    readonly int[] episodeLength;

    /// <param name="makeEnvironment">Makes each copy of the environment (the first is <see cref="AgentTask.Environment"/>).</param>
    /// <param name="options">Settings; the defaults suit CartPole.</param>
    /// <param name="seed">Seeds the weights, the action sampling and each copy's first reset.</param>
    public A2cTask(Func<IEnvironment> makeEnvironment, PolicyGradientOptions? options = null, ulong seed = 0)
        : base(makeEnvironment(), options, seed)
    {
        int n = Options.Environments;
        envs = new IEnvironment[n];
        envs[0] = Environment;
        for (int i = 1; i < n; i++) envs[i] = makeEnvironment();
        current = new float[n][];
        episodeReturn = new float[n];
        episodeLength = new int[n];
    }

    public override StepResult TrainStep(int tick)
    {
        int before = Episodes.Count, n = envs.Length, T = Options.StepsPerUpdate, d = Environment.ObservationSize();
        if (current[0] == null)
            for (int i = 0; i < n; i++) current[i] = envs[i].Reset(Seed + (ulong)i * 1_000_003);
        var obs = new float[T * n * d];
        var acts = new int[T * n];
        var rewards = new float[T * n];
        var ends = new bool[T * n];
        var stepObs = Tensor.Zeros(n, d);
        for (int t = 0; t < T; t++)
        {
            var so = stepObs.AsSpan();
            for (int i = 0; i < n; i++) current[i].CopyTo(so.Slice(i * d, d));
            so.CopyTo(obs.AsSpan(t * n * d, n * d));
            SampleActions(stepObs, acts.AsSpan(t * n, n));
            for (int i = 0; i < n; i++)
            {
                var o = envs[i].Step(acts[t * n + i]);
                float r = o.Reward;
                if (o.Truncated) r += Options.Gamma * Values(Tensor.FromArray(o.Observation, 1, d))[0];
                rewards[t * n + i] = r;
                ends[t * n + i] = o.Done;
                episodeReturn[i] += o.Reward; episodeLength[i]++;
                current[i] = o.Observation;
                if (o.Done)
                {
                    Episodes.Add(episodeReturn[i], episodeLength[i], Steps + t * n + i + 1);
                    episodeReturn[i] = 0; episodeLength[i] = 0;
                    current[i] = envs[i].Reset();
                }
            }
        }
        Steps += T * n;
        var so2 = stepObs.AsSpan();
        for (int i = 0; i < n; i++) current[i].CopyTo(so2.Slice(i * d, d));
        var boot = Values(stepObs);
        var returns = new float[T * n];
        for (int i = 0; i < n; i++)
        {
            float acc = boot[i];
            for (int t = T - 1; t >= 0; t--)
            {
                int k = t * n + i;
                acc = rewards[k] + Options.Gamma * (ends[k] ? 0f : acc);
                returns[k] = acc;
            }
        }
        float loss = Update(Tensor.FromArray(obs, T * n, d), acts, returns, normalizeAdvantages: false);
        return Report(loss, T * n, before);
    }
}
