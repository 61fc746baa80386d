using System.Globalization;
using Sinapse.IO;

namespace Sinapse.Training;

/// <summary>
/// Something whose state a resumable checkpoint saves and restores (PyTorch's state_dict / load_state_dict): an
/// optimizer, a scheduler, a data loader's shuffling generator, a callback. Names are prefixed by the owner's key.
/// </summary>
public interface IStateful
{
    void SaveState(TrainingState state, string prefix);
    void LoadState(TrainingState state, string prefix);
}

/// <summary>
/// Everything a training run needs to continue exactly: named float arrays (weights, optimizer moments) and named
/// values (counters, learning rates, generator words, the history), kept in one safetensors file whose metadata holds
/// the values. Written atomically; reading names the file and the entry that is missing.
/// </summary>
public sealed class TrainingState
{
    readonly Dictionary<string, Tensor> arrays = new();
    readonly Dictionary<string, string> values = new();

    /// <summary>The file this state was read from, for error messages; null for one being built.</summary>
    public string? Source { get; private init; }

    public void SetArray(string name, Tensor value) => arrays[name] = value.NoGraph().Contiguous();
    public void SetArray(string name, float[] value) => arrays[name] = Tensor.FromArray(value, value.Length);
    public bool HasArray(string name) => arrays.ContainsKey(name);
    public int ArrayLength(string name) => arrays.TryGetValue(name, out var v) ? v.Numel : throw Missing(name);

    /// <summary>The array <paramref name="name"/>, copied into <paramref name="target"/> (which must have its length).</summary>
    public void CopyArray(string name, Span<float> target)
    {
        var t = arrays.TryGetValue(name, out var v) ? v : throw Missing(name);
        if (t.Numel != target.Length)
            throw new InvalidDataException($"Checkpoint '{Source}': '{name}' has {t.Numel} values, expected {target.Length} (was it saved from another model or optimizer?).");
        t.AsReadOnlySpan().CopyTo(target);
    }

    public void Set(string name, string value) => values[name] = value;
    public void Set(string name, long value) => values[name] = value.ToString(CultureInfo.InvariantCulture);
    public void Set(string name, float value) => values[name] = BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture);
    public void Set(string name, double value) => values[name] = BitConverter.DoubleToUInt64Bits(value).ToString("x16", CultureInfo.InvariantCulture);
    public void Set(string name, Generator generator) => values[name] = string.Join(' ', generator.GetState().Select(w => w.ToString("x8", CultureInfo.InvariantCulture)));

    public bool Has(string name) => values.ContainsKey(name);
    public string Get(string name) => values.TryGetValue(name, out var v) ? v : throw Missing(name);
    public long GetLong(string name) => long.TryParse(Get(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(name);
    public float GetFloat(string name) => uint.TryParse(Get(name), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? BitConverter.UInt32BitsToSingle(v) : throw Bad(name);
    public double GetDouble(string name) => ulong.TryParse(Get(name), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? BitConverter.UInt64BitsToDouble(v) : throw Bad(name);

    /// <summary>Restores <paramref name="generator"/> to the words saved under <paramref name="name"/>.</summary>
    public void GetGenerator(string name, Generator generator)
    {
        var words = Get(name).Split(' ');
        var state = new uint[words.Length];
        for (int i = 0; i < words.Length; i++)
            if (!uint.TryParse(words[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out state[i])) throw Bad(name);
        try { generator.SetState(state); }
        catch (ArgumentException e) { throw new InvalidDataException($"Checkpoint '{Source}': '{name}': {e.Message}"); }
    }

    /// <summary>Writes the state to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public void Save(string path) => Safetensors.Save(path, arrays.Select(a => (a.Key, a.Value)), values);

    /// <summary>Reads a state written by <see cref="Save"/>.</summary>
    public static TrainingState Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' not found.", path);
        using var fs = File.OpenRead(path);
        return Load(fs, path);
    }

    /// <summary>Reads a state written by <see cref="Save"/> from <paramref name="data"/>; <paramref name="path"/> is what errors call it.</summary>
    public static TrainingState Load(Stream data, string path)
    {
        var meta = new Dictionary<string, string>();
        var tensors = Safetensors.Load(data, path, meta);
        var s = new TrainingState { Source = path };
        foreach (var (k, v) in tensors) s.arrays[k] = v;
        foreach (var (k, v) in meta) s.values[k] = v;
        if (!s.values.ContainsKey("epoch")) throw new InvalidDataException($"Checkpoint '{path}' is not a training checkpoint: it has no 'epoch' entry (a weights file? resume needs the checkpoint written by BackupAndRestore).");
        return s;
    }

    InvalidDataException Missing(string name) => new($"Checkpoint '{Source}' has no entry '{name}' (written by another version, model or set of callbacks?).");
    InvalidDataException Bad(string name) => new($"Checkpoint '{Source}': entry '{name}' is malformed ('{values.GetValueOrDefault(name)}').");

    /// <summary>Saves a module's parameters, persistent buffers and generators under <paramref name="prefix"/>.</summary>
    public void SaveModule(Layers.Module module, string prefix)
    {
        foreach (var (n, t) in module.StateDict()) SetArray(prefix + n, t);
        foreach (var (n, g) in module.NamedGenerators()) Set(prefix + "generator:" + n, g);
    }

    /// <summary>Restores what <see cref="SaveModule"/> saved into the same module (same architecture), in place.</summary>
    public void LoadModule(Layers.Module module, string prefix)
    {
        using var _ = Autograd.NoGrad();
        foreach (var (n, t) in module.StateDict())
        {
            CopyArray(prefix + n, t.AsSpan());
            t.BumpVersion();
        }
        foreach (var (n, g) in module.NamedGenerators()) GetGenerator(prefix + "generator:" + n, g);
    }
}
