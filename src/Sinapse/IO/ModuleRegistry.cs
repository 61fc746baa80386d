using Sinapse.Layers;

namespace Sinapse.IO;

/// <summary>
/// The layer types that model.json can name, each with the function that builds it from its
/// <see cref="LayerSpec"/>. The built-in layers are registered; a user's layer joins with <see cref="Register"/> and
/// describes itself by overriding <see cref="Module.Describe"/>.
/// </summary>
public static class ModuleRegistry
{
    static readonly Dictionary<string, Func<LayerSpec, Generator?, Module<Tensor, Tensor>>> factories = new()
    {
        ["Linear"] = (s, g) => new Linear(Positive(s, "in_features"), Positive(s, "out_features"), s.Float("bias", 1) != 0, g),
        ["ReLU"] = (_, _) => new ReLU(),
        ["ReLU6"] = (_, _) => new ReLU6(),
        ["Sigmoid"] = (_, _) => new Sigmoid(),
        ["Tanh"] = (_, _) => new Tanh(),
        ["GELU"] = (_, _) => new GELU(),
        ["SiLU"] = (_, _) => new SiLU(),
        ["Mish"] = (_, _) => new Mish(),
        ["Softsign"] = (_, _) => new Softsign(),
        ["Softplus"] = (s, _) => new Softplus(s.Float("beta", 1f), s.Float("threshold", 20f)),
        ["Hardtanh"] = (s, _) => new Hardtanh(s.Float("min_val", -1f), s.Float("max_val", 1f)),
        ["PReLU"] = (s, _) => new PReLU(Positive(s, "num_parameters", 1)),
        ["ELU"] = (s, _) => new ELU(s.Float("alpha", 1f)),
        ["LeakyReLU"] = (s, _) => new LeakyReLU(s.Float("negative_slope", 0.01f)),
        ["Step"] = (_, _) => new Step(),
        ["Softmax"] = (s, _) => new Softmax(s.Int("dim", -1)),
        ["LogSoftmax"] = (s, _) => new LogSoftmax(s.Int("dim", -1)),
        ["Flatten"] = (s, _) => new Flatten(s.Int("start_dim", 1), s.Int("end_dim", -1)),
        ["Dropout"] = (s, g) => new Dropout(Probability(s, "p", 0.5f), g),
    };

    static int Positive(LayerSpec s, string key, int? fallback = null)
    {
        int v = fallback is int f ? s.Int(key, f) : s.Int(key);
        return v > 0 ? v : throw new InvalidDataException($"model.json: layer {s.Type}: '{key}' = {v} must be positive.");
    }

    static float Probability(LayerSpec s, string key, float fallback)
    {
        float p = s.Float(key, fallback);
        return p is >= 0 and < 1 ? p : throw new InvalidDataException($"model.json: layer {s.Type}: '{key}' = {p} must be in [0, 1).");
    }

    /// <summary>
    /// Lets model.json name <paramref name="type"/>: <paramref name="factory"/> builds the layer from its arguments
    /// (read with <see cref="LayerSpec.Int(string)"/> and <see cref="LayerSpec.Float"/>) and a generator for its initial
    /// weights. Registering a type again replaces its factory.
    /// </summary>
    public static void Register(string type, Func<LayerSpec, Generator?, Module<Tensor, Tensor>> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(factory);
        lock (factories) factories[type] = factory;
    }

    /// <summary>Whether model.json can name <paramref name="type"/>.</summary>
    public static bool IsRegistered(string type)
    {
        lock (factories) return factories.ContainsKey(type);
    }

    /// <summary>Builds the layer <paramref name="spec"/> describes.</summary>
    public static Module<Tensor, Tensor> Create(LayerSpec spec, Generator? gen)
    {
        Func<LayerSpec, Generator?, Module<Tensor, Tensor>>? f;
        lock (factories) factories.TryGetValue(spec.Type, out f);
        if (f == null) throw new InvalidDataException($"model.json: unknown layer type '{spec.Type}'; known: {string.Join(", ", Known())}. A layer of your own joins with ModuleRegistry.Register.");
        try { return f(spec, gen); }
        catch (Exception e) when (e is ArgumentException)
        {
            throw new InvalidDataException($"model.json: layer {spec.Type}: {e.Message}", e);
        }
    }

    static IEnumerable<string> Known()
    {
        lock (factories) return factories.Keys.Order().ToArray();
    }
}
