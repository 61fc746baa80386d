using System.Text;
using System.Text.Json;

namespace Sinapse.IO;

/// <summary>
/// Reads model.json strictly: each field must have the JSON kind the format gives it, and each layer's arguments are
/// checked by its registration without building it. Every failure is an <see cref="InvalidDataException"/> that names
/// the file and the field.
/// </summary>
internal static class ModelSpecReader
{
    public const string Format = "sinapse.sequential/1";

    /// <summary>Largest description read (a description lists layers, not weights).</summary>
    public const int MaxBytes = 16 << 20;

    const int MaxRank = 8;

    /// <summary>The text of a model.json file's bytes; invalid UTF-8 is an error naming the byte.</summary>
    public static string Decode(byte[] bytes, string source)
    {
        try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException e) { throw new InvalidDataException($"{source}: byte {e.Index} is not valid UTF-8.", e); }
    }

    public static ModelSpec Read(string json, string source)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).", e); }
        using var _ = doc;
        try { return Read(doc.RootElement, source); }
        catch (InvalidOperationException e) { throw new InvalidDataException($"{source}: a string is not valid text ({e.Message}).", e); }
    }

    static ModelSpec Read(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Bad(source, "the file", "a JSON object");
        Unique(root, source, "the top level");
        if (root.TryGetProperty("format", out var format) && (format.ValueKind != JsonValueKind.String || format.GetString() != Format))
            throw Bad(source, "'format'", $"\"{Format}\"");

        var inputEl = Required(root, "input_shape", JsonValueKind.Array, source, $"an array of 1 to {MaxRank} positive integers");
        int rank = inputEl.GetArrayLength();
        if (rank is 0 or > MaxRank) throw Bad(source, "'input_shape'", $"1 to {MaxRank} dimensions, got {rank}");
        var input = new int[rank];
        long numel = 1;
        for (int i = 0; i < rank; i++)
        {
            var d = inputEl[i];
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out input[i]) || input[i] <= 0)
                throw Bad(source, $"'input_shape'[{i}] = {d.GetRawText()}", "a positive integer");
            numel *= input[i];
            if (numel > int.MaxValue) throw Bad(source, "'input_shape'", $"at most {int.MaxValue} values per sample");
        }

        var classesEl = Required(root, "classes", JsonValueKind.Number, source, "a non-negative integer");
        if (!classesEl.TryGetInt32(out int classes) || classes < 0) throw Bad(source, $"'classes' = {classesEl.GetRawText()}", "a non-negative integer");

        var layersEl = Required(root, "layers", JsonValueKind.Array, source, "an array of layer objects");
        var layers = new List<LayerSpec>();
        int index = 0;
        foreach (var l in layersEl.EnumerateArray())
        {
            string at = $"layers[{index}]";
            if (l.ValueKind != JsonValueKind.Object) throw Bad(source, at, "an object with a \"type\"");
            Unique(l, source, at);
            string? type = null;
            var args = new Dictionary<string, double>();
            foreach (var p in l.EnumerateObject())
            {
                if (p.Name == "type")
                {
                    if (p.Value.ValueKind != JsonValueKind.String) throw Bad(source, $"{at}.type", "a string");
                    type = p.Value.GetString();
                }
                else if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out var v) || !double.IsFinite(v))
                    throw Bad(source, $"{at}.{p.Name} = {Short(p.Value.GetRawText())}", "a finite number");
                else args[p.Name] = v;
            }
            if (string.IsNullOrEmpty(type)) throw Bad(source, at, "a \"type\"");
            var spec = new LayerSpec(type, args);
            try { spec.Plan(); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{source}, {at}: {e.Message}", e); }
            layers.Add(spec);
            index++;
        }
        return new ModelSpec(input, layers, classes);
    }

    static JsonElement Required(JsonElement o, string key, JsonValueKind kind, string source, string expected)
    {
        if (!o.TryGetProperty(key, out var v)) throw Bad(source, $"'{key}' is missing", expected);
        if (v.ValueKind != kind) throw Bad(source, $"'{key}' = {Short(v.GetRawText())}", expected);
        return v;
    }

    /// <summary>A key given twice would silently let the later value win.</summary>
    static void Unique(JsonElement o, string source, string where)
    {
        var seen = new HashSet<string>();
        foreach (var p in o.EnumerateObject())
            if (!seen.Add(p.Name)) throw new InvalidDataException($"{source}: '{p.Name}' appears twice in {where}.");
    }

    static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";

    static InvalidDataException Bad(string source, string what, string expected) => new($"{source}: {what}: expected {expected}.");
}
