using Sinapse.Layers;

namespace Sinapse.IO;

/// <summary>Saving and loading a module's parameters (its state dict) as safetensors.</summary>
public static class ModuleSerialization
{
    /// <summary>Writes the state of <paramref name="module"/> (parameters and persistent buffers, <see cref="Module.StateDict"/>) to a safetensors file (atomically).</summary>
    public static void Save(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        Safetensors.Save(path, module.StateDict(), metadata);

    /// <summary>
    /// Copies the tensors of a safetensors file into the module's parameters and persistent buffers. Fails naming the tensor when one is
    /// missing, unexpected, or has a different shape (both shapes given).
    /// </summary>
    public static void Load(this Module module, string path)
    {
        var tensors = Safetensors.Load(path);
        var pars = module.StateDict().ToList();
        foreach (var (name, p) in pars)
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new InvalidDataException($"Safetensors file '{path}' has no tensor '{name}' needed by the model.");
            if (!t.Shape.AsSpan().SequenceEqual(p.Shape))
                throw new InvalidDataException($"Safetensors file '{path}', tensor '{name}': shape {ShapeUtil.Str(t.Shape)} in the file, {ShapeUtil.Str(p.Shape)} in the model.");
        }
        var extra = tensors.Keys.Except(pars.Select(p => p.Name)).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"Safetensors file '{path}' has tensors the model does not: {string.Join(", ", extra)}.");
        using var _ = Autograd.NoGrad();
        foreach (var (name, p) in pars) p.CopyFrom(tensors[name]);
    }
}
