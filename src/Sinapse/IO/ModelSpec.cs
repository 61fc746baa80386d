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

    /// <summary>
    /// LeNet-5 (LeCun et al. 1998) for (C, 28, 28) images: 5×5 convolutions with tanh and 2×2 average pooling
    /// (the first padded by 2, so 28×28 becomes the paper's 32×32 receptive field), then 120-84-classes dense layers.
    /// </summary>
    public static ModelSpec LeNet5(int[] inputShape, int classes)
    {
        CheckImage(inputShape, "lenet");
        int c = inputShape[0], h = (inputShape[1] / 2 - 4) / 2, w = (inputShape[2] / 2 - 4) / 2;
        return new ModelSpec(inputShape,
        [
            Conv(c, 6, 5, 2), new("Tanh"), Pool("AvgPool2d"), Conv(6, 16, 5, 0), new("Tanh"), Pool("AvgPool2d"), new("Flatten"),
            Dense(16 * h * w, 120), new("Tanh"), Dense(120, 84), new("Tanh"), Dense(84, classes),
        ], classes);
    }

    /// <summary>
    /// A small modern CNN: two blocks of 3×3 convolution (32 and 64 filters, "same" padding), batch norm, ReLU and
    /// 2×2 max pooling, then dropout 0.25, a 128-unit dense layer, dropout 0.5 and the classifier.
    /// </summary>
    public static ModelSpec SmallCnn(int[] inputShape, int classes)
    {
        CheckImage(inputShape, "cnn");
        int c = inputShape[0], h = inputShape[1] / 4, w = inputShape[2] / 4;
        static LayerSpec Norm(int n) => new("BatchNorm2d", new Dictionary<string, double> { ["num_features"] = n });
        static LayerSpec Drop(double p) => new("Dropout", new Dictionary<string, double> { ["p"] = p });
        return new ModelSpec(inputShape,
        [
            Conv(c, 32, 3, 1, bias: false), Norm(32), new("ReLU"), Pool("MaxPool2d"),
            Conv(32, 64, 3, 1, bias: false), Norm(64), new("ReLU"), Pool("MaxPool2d"),
            new("Flatten"), Drop(0.25), Dense(64 * h * w, 128), new("ReLU"), Drop(0.5), Dense(128, classes),
        ], classes);
    }

    static void CheckImage(int[] shape, string model)
    {
        if (shape.Length != 3 || shape[1] < 12 || shape[2] < 12)
            throw new ArgumentException($"--model {model}: needs images (C, H, W) of at least 12×12, got {ShapeUtil.Str(shape)}.");
    }

    static LayerSpec Conv(int i, int o, int k, int padding, bool bias = true) => new("Conv2d", new Dictionary<string, double>
        { ["in_channels"] = i, ["out_channels"] = o, ["kernel_size"] = k, ["padding"] = padding, ["bias"] = bias ? 1 : 0 });
    static LayerSpec Pool(string type) => new(type, new Dictionary<string, double> { ["kernel_size"] = 2 });
    static LayerSpec Dense(int i, int o) => new("Linear", new Dictionary<string, double> { ["in_features"] = i, ["out_features"] = o });

    /// <summary>
    /// Parses a CLI model name: "mlp" (784-256-128-10), "linear" (softmax regression), "mlp:H1,H2,…", "lenet"
    /// (<see cref="LeNet5"/>) or "cnn" (<see cref="SmallCnn"/>).
    /// </summary>
    public static ModelSpec Parse(string name, int[] inputShape, int classes, string activation = "ReLU", float dropout = 0f)
    {
        if (name == "lenet") return LeNet5(inputShape, classes);
        if (name == "cnn") return SmallCnn(inputShape, classes);
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
        throw new ArgumentException($"--model: unknown model '{name}'; use mlp, linear, mlp:H1,H2,… (e.g. mlp:512,256), lenet or cnn.");
    }
}
