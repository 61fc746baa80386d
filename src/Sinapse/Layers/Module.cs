using System.Text;

namespace Sinapse.Layers;

/// <summary>
/// Base class of layers and models (like torch.nn.Module). Parameters and sub-modules are registered
/// explicitly by name in the constructor (no reflection, so NativeAOT works); names nest with dots
/// ("0.weight", "encoder.1.bias").
/// </summary>
public abstract class Module
{
    readonly List<(string Name, Tensor Value)> parameters = new();
    readonly List<(string Name, Module Value)> children = new();

    /// <summary>True in training mode (dropout active), false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the module's output. Shape: documented by each module.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>
    /// True when <see cref="Forward"/> keeps no reference to its input or its output once it returns (true of every
    /// built-in layer). <see cref="Sequential"/> then recycles the hidden activation between two such layers into
    /// the buffer pool: at once without a graph, after Backward with one. A custom layer that stores its input or
    /// output (Hebbian traces, recurrent state) must leave this false, the default.
    /// </summary>
    protected internal virtual bool KeepsNoActivations => false;

    /// <summary>Same as <see cref="Forward"/>.</summary>
    public Tensor Call(Tensor input) => Forward(input);

    /// <summary>Registers a trainable tensor under <paramref name="name"/>; marks it RequiresGrad.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        if (parameters.Any(p => p.Name == name) || children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.");
        value.RequiresGrad = true;
        parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a sub-module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        if (parameters.Any(p => p.Name == name) || children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.");
        children.Add((name, module));
        return module;
    }

    /// <summary>Direct sub-modules with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => children.Select(c => (c.Name, c.Value));

    /// <summary>All parameters of this module and its sub-modules, depth first, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in parameters) yield return (prefix + n, p);
        foreach (var (n, c) in children)
            foreach (var x in c.NamedParameters(prefix + n + ".")) yield return x;
    }

    /// <summary>All parameters (see <see cref="NamedParameters"/>).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Size);

    /// <summary>Sets training mode for this module and all sub-modules; returns this.</summary>
    public Module Train(bool mode = true)
    {
        Training = mode;
        foreach (var (_, c) in children) c.Train(mode);
        return this;
    }

    /// <summary>Sets evaluation mode (dropout off); returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>Zeroes the gradients of all parameters, lazily as <see cref="Optimizers.Optimizer.ZeroGrad"/> does (or drops
    /// them with <paramref name="setToNone"/>).</summary>
    public void ZeroGrad(bool setToNone = false) => GradUtil.Zero(Parameters(), setToNone);

    /// <summary>The constructor arguments shown by <see cref="ToString"/>, e.g. "in_features=784, out_features=256".</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>PyTorch-style tree of modules.</summary>
    public override string ToString()
    {
        var name = GetType().Name;
        if (children.Count == 0) return $"{name}({ExtraRepr()})";
        var sb = new StringBuilder(name).Append('(');
        if (ExtraRepr() is { Length: > 0 } e) sb.Append(e);
        sb.Append('\n');
        foreach (var (n, c) in children)
            sb.Append("  (").Append(n).Append("): ").Append(c.ToString().Replace("\n", "\n  ")).Append('\n');
        return sb.Append(')').ToString();
    }

    /// <summary>
    /// A table of layers with output shapes and parameter counts for an input of shape <paramref name="inputShape"/>
    /// (including the batch dimension), plus the total. Runs one forward pass without gradients in eval mode.
    /// </summary>
    public string Summary(params int[] inputShape)
    {
        var rows = new List<(string Layer, string Shape, long Params)>();
        bool wasTraining = Training;
        Eval();
        using (Autograd.NoGrad()) Trace(Tensor.Zeros(inputShape), rows, "");
        Train(wasTraining);
        var total = ParameterCount();
        int w0 = Math.Max(20, rows.Max(r => r.Layer.Length) + 2), w1 = Math.Max(16, rows.Max(r => r.Shape.Length) + 2);
        var sb = new StringBuilder();
        string line = new('-', w0 + w1 + 12);
        sb.AppendLine(line).Append("Layer".PadRight(w0)).Append("Output shape".PadRight(w1)).AppendLine("Param #".PadLeft(12)).AppendLine(line);
        foreach (var r in rows) sb.Append(r.Layer.PadRight(w0)).Append(r.Shape.PadRight(w1)).AppendLine(r.Params.ToString("N0").PadLeft(12));
        sb.AppendLine(line).Append("Total params: ").AppendLine(total.ToString("N0"));
        sb.Append("Trainable params: ").AppendLine(Parameters().Where(p => p.RequiresGrad).Sum(p => (long)p.Size).ToString("N0"));
        return sb.Append(line).ToString();
    }

    /// <summary>Runs forward and records one summary row per leaf layer; containers override to recurse.</summary>
    protected internal virtual Tensor Trace(Tensor input, List<(string Layer, string Shape, long Params)> rows, string name)
    {
        var y = Forward(input);
        rows.Add(($"{(name.Length > 0 ? name + ": " : "")}{GetType().Name}", ShapeUtil.Str(y.Shape), ParameterCount()));
        return y;
    }
}
