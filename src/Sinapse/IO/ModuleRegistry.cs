using Sinapse.Layers;

namespace Sinapse.IO;

/// <summary>
/// A layer's arguments, checked: how many parameter and buffer values the layer will hold (null when unknown) and how
/// to build it. Checking allocates nothing, so a model description can be validated, and its size compared with its
/// weights file, before a single weight exists.
/// </summary>
public sealed record LayerPlan(long? Values, Func<Generator?, Module<Tensor, Tensor>> Build);

/// <summary>
/// The layer types that model.json can name, each with the function that checks its <see cref="LayerSpec"/> and
/// plans the layer. The built-in layers are registered; a user's layer joins with <see cref="Register(string, Func{LayerSpec, LayerPlan})"/>
/// (or the simpler overload that only builds) and describes itself by overriding <see cref="Module.Describe"/>.
/// </summary>
public static class ModuleRegistry
{
    static LayerPlan Plain(Func<Module<Tensor, Tensor>> make) => new(0, _ => make());

    static readonly Dictionary<string, Func<LayerSpec, LayerPlan>> planners = new()
    {
        ["Linear"] = s =>
        {
            int i = Positive(s, "in_features"), o = Positive(s, "out_features");
            bool bias = s.Float("bias", 1) != 0;
            return new LayerPlan((long)i * o + (bias ? o : 0), g => new Linear(i, o, bias, g));
        },
        ["ReLU"] = _ => Plain(() => new ReLU()),
        ["ReLU6"] = _ => Plain(() => new ReLU6()),
        ["Sigmoid"] = _ => Plain(() => new Sigmoid()),
        ["Tanh"] = _ => Plain(() => new Tanh()),
        ["GELU"] = _ => Plain(() => new GELU()),
        ["SiLU"] = _ => Plain(() => new SiLU()),
        ["Mish"] = _ => Plain(() => new Mish()),
        ["Softsign"] = _ => Plain(() => new Softsign()),
        ["Softplus"] = s =>
        {
            float beta = s.Float("beta", 1f), threshold = s.Float("threshold", 20f);
            if (beta == 0) throw Bad(s, "'beta' = 0 would divide by zero");
            return Plain(() => new Softplus(beta, threshold));
        },
        ["Hardtanh"] = s =>
        {
            float lo = s.Float("min_val", -1f), hi = s.Float("max_val", 1f);
            if (!(lo < hi)) throw Bad(s, $"'min_val' = {lo} must be below 'max_val' = {hi}");
            return Plain(() => new Hardtanh(lo, hi));
        },
        ["PReLU"] = s => { int n = Positive(s, "num_parameters", 1); return new LayerPlan(n, _ => new PReLU(n)); },
        ["ELU"] = s => { float a = s.Float("alpha", 1f); return Plain(() => new ELU(a)); },
        ["LeakyReLU"] = s => { float a = s.Float("negative_slope", 0.01f); return Plain(() => new LeakyReLU(a)); },
        ["Step"] = _ => Plain(() => new Step()),
        ["Softmax"] = s => { int d = s.Int("dim", -1); return Plain(() => new Softmax(d)); },
        ["LogSoftmax"] = s => { int d = s.Int("dim", -1); return Plain(() => new LogSoftmax(d)); },
        ["Flatten"] = s => { int a = s.Int("start_dim", 1), b = s.Int("end_dim", -1); return Plain(() => new Flatten(a, b)); },
        ["Unflatten"] = s =>
        {
            int dim = s.Int("dim", 1), n = Positive(s, "dims", 1);
            var sizes = Enumerable.Range(0, n).Select(i => Positive(s, $"size{i}", 1)).ToArray();
            return Plain(() => new Unflatten(dim, sizes));
        },
        ["Dropout"] = s => { float p = Probability(s, "p", 0.5f); return new LayerPlan(0, g => new Dropout(p, g)); },
        ["Dropout2d"] = s => { float p = Probability(s, "p", 0.5f); return new LayerPlan(0, g => new Dropout2d(p, g)); },
        ["Conv2d"] = s =>
        {
            var (i, o, k, st, pad, dil, grp, bias) = ConvArgs(s);
            return new LayerPlan((long)o * (i / grp) * k * k + (bias ? o : 0), g => new Conv2d(i, o, k, st, pad, dil, grp, bias, g));
        },
        ["Conv1d"] = s =>
        {
            var (i, o, k, st, pad, dil, grp, bias) = ConvArgs(s);
            return new LayerPlan((long)o * (i / grp) * k + (bias ? o : 0), g => new Conv1d(i, o, k, st, pad, dil, grp, bias, g));
        },
        ["ConvTranspose2d"] = s =>
        {
            var (i, o, k, st, pad, dil, grp, bias) = ConvArgs(s);
            int op = s.Int("output_padding", 0);
            if (op < 0 || op >= Math.Max(st, dil)) throw Bad(s, $"'output_padding' = {op} must be non-negative and below the stride or the dilation");
            return new LayerPlan((long)i * (o / grp) * k * k + (bias ? o : 0), g => new ConvTranspose2d(i, o, k, st, pad, op, grp, bias, dil, g));
        },
        ["MaxPool2d"] = s => { var (k, st, pad) = PoolArgs(s); return Plain(() => new MaxPool2d(k, st, pad)); },
        ["AvgPool2d"] = s =>
        {
            var (k, st, pad) = PoolArgs(s);
            bool include = s.Float("count_include_pad", 1) != 0;
            return Plain(() => new AvgPool2d(k, st, pad, include));
        },
        ["AdaptiveAvgPool2d"] = s => { int h = Positive(s, "out_height"), w = Positive(s, "out_width"); return Plain(() => new AdaptiveAvgPool2d(h, w)); },
        ["Upsample"] = s => { int f = Positive(s, "scale_factor"); return Plain(() => new Upsample(f)); },
        ["BatchNorm1d"] = s => { var (c, e, m) = NormArgs(s); return new LayerPlan(4L * c + 1, _ => new BatchNorm1d(c, e, m)); },
        ["BatchNorm2d"] = s => { var (c, e, m) = NormArgs(s); return new LayerPlan(4L * c + 1, _ => new BatchNorm2d(c, e, m)); },
        ["LastStep"] = _ => Plain(() => new LastStep()),
        ["Embedding"] = s =>
        {
            int n = Positive(s, "num_embeddings"), d = Positive(s, "embedding_dim");
            int? pad = s.Args.ContainsKey("padding_idx") ? s.Int("padding_idx") : null;
            if (pad is int p && (p < 0 || p >= n)) throw Bad(s, $"'padding_idx' = {p} must be in 0…{n - 1}");
            return new LayerPlan((long)n * d, g => new Embedding(n, d, pad, g));
        },
        ["RNN"] = s => Recurrent(s, 1, (a, g) => new RNN(a.In, a.Hidden, a.Layers, s.Float("relu", 0) != 0 ? "relu" : "tanh", a.Bias, a.BatchFirst, a.Dropout, a.Bidirectional, g) { Stateful = a.Stateful }),
        ["LSTM"] = s => Recurrent(s, 4, (a, g) => new LSTM(a.In, a.Hidden, a.Layers, a.Bias, a.BatchFirst, a.Dropout, a.Bidirectional, g) { Stateful = a.Stateful }),
        ["GRU"] = s => Recurrent(s, 3, (a, g) => new GRU(a.In, a.Hidden, a.Layers, a.Bias, a.BatchFirst, a.Dropout, a.Bidirectional, g) { Stateful = a.Stateful }),
        ["RNNCell"] = s => Cell(s, 1, (i, h, b, g) => new RNNCell(i, h, b, s.Float("relu", 0) != 0 ? "relu" : "tanh", g)),
        ["LSTMCell"] = s => Cell(s, 4, (i, h, b, g) => new LSTMCell(i, h, b, g)),
        ["GRUCell"] = s => Cell(s, 3, (i, h, b, g) => new GRUCell(i, h, b, g)),
    };

    static LayerPlan Cell(LayerSpec s, int gates, Func<int, int, bool, Generator?, Module<Tensor, Tensor>> make)
    {
        int i = Positive(s, "input_size"), h = Positive(s, "hidden_size");
        bool bias = s.Float("bias", 1) != 0;
        long gh = (long)gates * h, values = gh * (i + h) + (bias ? 2 * gh : 0);
        if (values > int.MaxValue) throw Bad(s, "the weights would hold more than 2^31 values");
        return new LayerPlan(values, g => make(i, h, bias, g));
    }

    readonly record struct RecurrentArgs(int In, int Hidden, int Layers, bool Bias, bool BatchFirst, float Dropout, bool Bidirectional, bool Stateful);

    /// <summary>A recurrent layer's arguments and its parameter count: per layer and direction G·H·(in + H) weights and 2·G·H biases.</summary>
    static LayerPlan Recurrent(LayerSpec s, int gates, Func<RecurrentArgs, Generator?, Module<Tensor, Tensor>> make)
    {
        var a = new RecurrentArgs(Positive(s, "input_size"), Positive(s, "hidden_size"), Positive(s, "num_layers", 1), s.Float("bias", 1) != 0,
            s.Float("batch_first", 1) != 0, s.Float("dropout", 0f), s.Float("bidirectional", 0) != 0, s.Float("stateful", 0) != 0);
        if (!(a.Dropout >= 0 && a.Dropout < 1)) throw Bad(s, $"'dropout' = {a.Dropout} must be in [0, 1)");
        int dirs = a.Bidirectional ? 2 : 1;
        long gh = (long)gates * a.Hidden, values = 0;
        for (int l = 0; l < a.Layers; l++)
            values += dirs * (gh * ((l == 0 ? a.In : a.Hidden * dirs) + a.Hidden) + (a.Bias ? 2 * gh : 0));
        if (values > int.MaxValue) throw Bad(s, "the weights would hold more than 2^31 values");
        return new LayerPlan(values, g => make(a, g));
    }

    static (int In, int Out, int K, int Stride, int Padding, int Dilation, int Groups, bool Bias) ConvArgs(LayerSpec s)
    {
        int i = Positive(s, "in_channels"), o = Positive(s, "out_channels"), k = Positive(s, "kernel_size");
        int st = Positive(s, "stride", 1), dil = Positive(s, "dilation", 1), grp = Positive(s, "groups", 1), pad = s.Int("padding", 0);
        if (pad < (s.Type == "Conv2d" ? Conv2d.Same : 0)) throw Bad(s, $"'padding' = {pad} must be non-negative");
        if (i % grp != 0 || o % grp != 0) throw Bad(s, $"{i} input and {o} output channels must divide into {grp} groups");
        if ((long)o * (i / grp) * k * k > int.MaxValue) throw Bad(s, "the weight would hold more than 2^31 values");
        return (i, o, k, st, pad, dil, grp, s.Float("bias", 1) != 0);
    }

    static (int Kernel, int Stride, int Padding) PoolArgs(LayerSpec s)
    {
        int k = Positive(s, "kernel_size"), st = Positive(s, "stride", k), pad = s.Int("padding", 0);
        if (pad < 0 || 2 * pad > k) throw Bad(s, $"'padding' = {pad} must be between 0 and half the kernel");
        return (k, st, pad);
    }

    static (int Features, float Eps, float Momentum) NormArgs(LayerSpec s)
    {
        int c = Positive(s, "num_features");
        float e = s.Float("eps", 1e-5f), m = s.Float("momentum", 0.1f);
        if (!(e > 0) || m is < 0 or > 1) throw Bad(s, $"'eps' = {e} must be positive and 'momentum' = {m} in [0, 1]");
        return (c, e, m);
    }

    static int Positive(LayerSpec s, string key, int? fallback = null)
    {
        int v = fallback is int f ? s.Int(key, f) : s.Int(key);
        return v > 0 ? v : throw Bad(s, $"'{key}' = {v} must be positive");
    }

    static float Probability(LayerSpec s, string key, float fallback)
    {
        float p = s.Float(key, fallback);
        return p is >= 0 and < 1 ? p : throw Bad(s, $"'{key}' = {p} must be in [0, 1)");
    }

    static InvalidDataException Bad(LayerSpec s, string what) => new($"layer {s.Type}: {what}.");

    /// <summary>
    /// Lets model.json name <paramref name="type"/>: <paramref name="planner"/> checks the arguments (read with
    /// <see cref="LayerSpec.Int(string)"/> and <see cref="LayerSpec.Float"/>, which reject what is not a number of the
    /// right kind), says how many values the layer will hold, and returns how to build it. Registering a type again
    /// replaces it.
    /// </summary>
    public static void Register(string type, Func<LayerSpec, LayerPlan> planner)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(planner);
        lock (planners) planners[type] = planner;
    }

    /// <summary>
    /// Lets model.json name <paramref name="type"/> with a factory that builds the layer from its arguments and a
    /// generator for its initial weights. Its arguments are then checked only when it is built.
    /// </summary>
    public static void Register(string type, Func<LayerSpec, Generator?, Module<Tensor, Tensor>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Register(type, s => new LayerPlan(null, g => factory(s, g)));
    }

    /// <summary>Whether model.json can name <paramref name="type"/>.</summary>
    public static bool IsRegistered(string type)
    {
        lock (planners) return planners.ContainsKey(type);
    }

    /// <summary>Checks <paramref name="spec"/>'s type and arguments without building anything.</summary>
    public static LayerPlan Plan(LayerSpec spec)
    {
        Func<LayerSpec, LayerPlan>? f;
        lock (planners) planners.TryGetValue(spec.Type, out f);
        if (f == null) throw new InvalidDataException($"unknown layer type '{spec.Type}'; known: {string.Join(", ", Known())}. A layer of your own joins with ModuleRegistry.Register.");
        try { return f(spec); }
        catch (ArgumentException e) { throw new InvalidDataException($"layer {spec.Type}: {e.Message}", e); }
    }

    /// <summary>Builds the layer <paramref name="spec"/> describes.</summary>
    public static Module<Tensor, Tensor> Create(LayerSpec spec, Generator? gen)
    {
        var plan = Plan(spec);
        try { return plan.Build(gen); }
        catch (ArgumentException e) { throw new InvalidDataException($"layer {spec.Type}: {e.Message}", e); }
    }

    static IEnumerable<string> Known()
    {
        lock (planners) return planners.Keys.Order().ToArray();
    }
}
