using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Sinapse.Data;

/// <summary>
/// The characters of a text and their ids (sorted by code, so a vocabulary is the same for the same text). Characters
/// are UTF-16 code units, which covers every letter of the shipped texts.
/// </summary>
public sealed class CharVocabulary
{
    readonly Dictionary<char, int> ids = [];

    /// <summary>The characters in id order.</summary>
    public string Symbols { get; }
    public int Size => Symbols.Length;

    public CharVocabulary(string symbols)
    {
        if (symbols.Length == 0) throw new ArgumentException("CharVocabulary: no characters.");
        for (int i = 0; i < symbols.Length; i++)
            if (!ids.TryAdd(symbols[i], i)) throw new ArgumentException($"CharVocabulary: character {Show(symbols[i])} appears twice.");
        Symbols = symbols;
    }

    /// <summary>Every distinct character of <paramref name="text"/>, sorted.</summary>
    public static CharVocabulary FromText(string text)
    {
        var set = new SortedSet<char>(text);
        return new CharVocabulary(string.Concat(set));
    }

    public bool Contains(char c) => ids.ContainsKey(c);

    /// <summary>The ids of <paramref name="text"/>; an unknown character is an error that names it and its position.</summary>
    public int[] Encode(string text)
    {
        var r = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
            r[i] = ids.TryGetValue(text[i], out var id) ? id
                : throw new ArgumentException($"CharVocabulary: character {Show(text[i])} at position {i} is not in the vocabulary of {Size} characters.");
        return r;
    }

    public string Decode(IEnumerable<int> idList)
    {
        var sb = new StringBuilder();
        foreach (var id in idList) sb.Append(Symbols[id]);
        return sb.ToString();
    }

    /// <summary>JSON: {"chars": "..."}.</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("chars", Symbols);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Reads <see cref="ToJson"/>'s form; errors name <paramref name="file"/>.</summary>
    public static CharVocabulary FromJson(string json, string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("chars", out var chars) || chars.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"'{file}': expected a JSON object with a string \"chars\".");
            return new CharVocabulary(chars.GetString()!);
        }
        catch (JsonException e) { throw new InvalidDataException($"'{file}': not valid JSON ({e.Message}).", e); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{file}': {e.Message}", e); }
    }

    static string Show(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";
}

/// <summary>Texts for language models: read from .txt or .txt.gz (UTF-8), or the shipped ones by name.</summary>
public static class TextCorpus
{
    /// <summary>The shipped texts: name → (folder under data/, file).</summary>
    public static readonly IReadOnlyDictionary<string, string> Shipped = new Dictionary<string, string> { ["moby-dick"] = "moby-dick.txt.gz" };

    /// <summary>Reads a UTF-8 text file, gunzipping a .gz; errors name the file.</summary>
    public static string Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"text file '{path}' not found.", path);
        try
        {
            using var file = File.OpenRead(path);
            using Stream s = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(s, new UTF8Encoding(false, throwOnInvalidBytes: true));
            var text = reader.ReadToEnd();
            if (text.Length == 0) throw new InvalidDataException($"text file '{path}' is empty.");
            return text;
        }
        catch (DecoderFallbackException e) { throw new InvalidDataException($"text file '{path}' is not valid UTF-8: {e.Message}", e); }
        catch (InvalidDataException e) when (!e.Message.Contains(path)) { throw new InvalidDataException($"text file '{path}' is not a valid gzip file: {e.Message}", e); }
    }

    /// <summary>A shipped text by name (data/NAME/, checked against its SHA256SUMS).</summary>
    public static string LoadShipped(string name)
    {
        if (!Shipped.TryGetValue(name, out var file))
            throw new ArgumentException($"no shipped text '{name}'; shipped: {string.Join(", ", Shipped.Keys)}.");
        return Load(ShippedData.Locate(name, file, "text", $"scripts/make-{name}.sh"));
    }
}
