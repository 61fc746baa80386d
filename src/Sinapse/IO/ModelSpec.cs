using System.Globalization;
using System.Text.Json;
using Sinapse.Layers;

namespace Sinapse.IO;

/// <summary>One layer of a <see cref="ModelSpec"/>: a type name and its numeric arguments.</summary>
public sealed record LayerSpec(string Type, IReadOnlyDictionary<string, double> Args)
{
    public LayerSpec(string type) : this(type, new Dictionary<string, double>()) { }

    /// <summary>A required whole-number argument.</summary>
    public int Int(string key)
    {
        if (!Args.TryGetValue(key, out var v)) throw new InvalidDataException($"layer {Type}: '{key}' is missing.");
        if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue) throw new InvalidDataException($"layer {Type}: '{key}' = {v} is not a whole number in the 32-bit range.");
        return (int)v;
    }

    /// <summary>An optional whole-number argument.</summary>
    public int Int(string key, int fallback) => Args.ContainsKey(key) ? Int(key) : fallback;

    /// <summary>An optional real argument, which must be a finite float.</summary>
    public float Float(string key, float fallback)
    {
        if (!Args.TryGetValue(key, out var v)) return fallback;
        if (!double.IsFinite(v) || Math.Abs(v) > float.MaxValue) throw new InvalidDataException($"layer {Type}: '{key}' = {v} is not a finite float.");
        return (float)v;
    }

    /// <summary>Checks the type and arguments without building anything (<see cref="ModuleRegistry.Plan"/>).</summary>
    public LayerPlan Plan() => ModuleRegistry.Plan(this);

    /// <summary>Builds the layer through <see cref="ModuleRegistry"/>; the generator seeds its initial weights.</summary>
    public Module<Tensor, Tensor> Build(Generator? gen) => ModuleRegistry.Create(this, gen);
}

/// <summary>
/// A sequential architecture as data: the input shape of one sample and the list of layers. Saved as
/// model.json next to model.safetensors so a run folder alone rebuilds the model.
/// </summary>
public sealed record ModelSpec(int[] InputShape, IReadOnlyList<LayerSpec> Layers, int Classes)
{
    /// <summary>A multilayer perceptron: Flatten, then Linear + activation per hidden size, then Linear to the classes.</summary>
    public static ModelSpec Mlp(int[] inputShape, int[] hidden, int classes, string activation = "ReLU", float dropout = 0f)
    {
        var layers = new List<LayerSpec> { new("Flatten") };
        int inF = inputShape.Aggregate(1, (a, b) => a * b);
        foreach (var h in hidden)
        {
            layers.Add(new("Linear", new Dictionary<string, double> { ["in_features"] = inF, ["out_features"] = h }));
            layers.Add(new(activation));
            if (dropout > 0) layers.Add(new("Dropout", new Dictionary<string, double> { ["p"] = dropout }));
            inF = h;
        }
        layers.Add(new("Linear", new Dictionary<string, double> { ["in_features"] = inF, ["out_features"] = classes }));
        return new ModelSpec(inputShape, layers, classes);
    }

    /// <summary>
    /// The description of <paramref name="model"/>: each layer describes itself (<see cref="Module.Describe"/>); its
    /// type must be registered in <see cref="ModuleRegistry"/> for the description to be built again.
    /// </summary>
    public static ModelSpec Of(Sequential model, int[] inputShape, int classes = 0) =>
        new(inputShape, model.Layers.Select(l => l.Describe()).ToList(), classes);

    /// <summary>Builds the model; the generator seeds the initial weights.</summary>
    public Sequential Build(Generator? gen = null) => new(Layers.Select(l => l.Build(gen)).ToArray());

    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", "sinapse.sequential/1");
            w.WriteStartArray("input_shape"); foreach (var d in InputShape) w.WriteNumberValue(d); w.WriteEndArray();
            w.WriteNumber("classes", Classes);
            w.WriteStartArray("layers");
            foreach (var l in Layers)
            {
                w.WriteStartObject();
                w.WriteString("type", l.Type);
                foreach (var (k, v) in l.Args) w.WriteNumber(k, v);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// Reads a model description, checking every field's JSON kind and every layer's arguments (no layer is built);
    /// a malformed one raises <see cref="InvalidDataException"/> naming <paramref name="source"/> and the field.
    /// </summary>
    public static ModelSpec FromJson(string json, string source = "model.json") => ModelSpecReader.Read(json, source);

    /// <summary>Parameter and buffer values the model will hold, when every layer's registration says (see <see cref="LayerPlan"/>).</summary>
    public long? Values()
    {
        long total = 0;
        foreach (var l in Layers)
        {
            if (l.Plan().Values is not long v) return null;
            total += v;
        }
        return total;
    }

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, ToJson());
        File.Move(tmp, path, overwrite: true);
    }

    public static ModelSpec Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model description '{path}' not found; expected the model.json written by 'sinapse train'.", path);
        var info = new FileInfo(path);
        if (info.Length > ModelSpecReader.MaxBytes)
            throw new InvalidDataException($"{path}: {info.Length} bytes; a model description is at most {ModelSpecReader.MaxBytes} bytes.");
        return FromJson(ModelSpecReader.Decode(File.ReadAllBytes(path), path), path);
    }

    /// <summary>
    /// Rebuilds a model from its description and loads its weights. The weights file's header is read first: a
    /// description asking for more values than the file holds is refused before any layer is built.
    /// </summary>
    public static (Sequential Model, ModelSpec Spec) LoadModel(string modelJson, string weights, Generator? gen = null)
    {
        var spec = Load(modelJson);
        var header = SafetensorsHeader.Read(weights);
        long held = header.Entries.Sum(e => e.Numel);
        if (spec.Values() is long want && want != held)
            throw new InvalidDataException($"{modelJson} describes a model of {want:N0} values but '{weights}' holds {held:N0}: they do not belong together.");
        var model = spec.Build(gen ?? new Generator(0));
        try { model.Load(weights); }
        catch (InvalidDataException e) when (!e.Message.Contains(modelJson))
        {
            throw new InvalidDataException($"{modelJson} and its weights do not match: {e.Message}", e);
        }
        return (model, spec);
    }

    /// <summary>Parses a CLI model name: "mlp" (784-256-128-10), "linear" (softmax regression) or "mlp:H1,H2,…".</summary>
    public static ModelSpec Parse(string name, int[] inputShape, int classes, string activation = "ReLU", float dropout = 0f)
    {
        if (name == "mlp") return Mlp(inputShape, [256, 128], classes, activation, dropout);
        if (name == "linear") return Mlp(inputShape, [], classes);
        if (name.StartsWith("mlp:"))
        {
            var parts = name[4..].Split(',', StringSplitOptions.RemoveEmptyEntries);
            var hidden = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out hidden[i]) || hidden[i] <= 0)
                    throw new ArgumentException($"--model: '{parts[i]}' in '{name}' is not a positive layer size.");
            return Mlp(inputShape, hidden, classes, activation, dropout);
        }
        throw new ArgumentException($"--model: unknown model '{name}'; use mlp, linear or mlp:H1,H2,… (e.g. mlp:512,256).");
    }
}
