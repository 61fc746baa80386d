using System.Text;
using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// Base class of layers and models (like torch.nn.Module): named parameters, named buffers and sub-modules, all
/// registered explicitly in the constructor (no reflection, so NativeAOT works); names nest with dots ("0.weight",
/// "encoder.1.bias"). The forward pass is defined by <see cref="Module{TIn, TOut}"/> (one input) or
/// <see cref="Module{TIn1, TIn2, TOut}"/> (two inputs); a layer of one tensor to one tensor derives from
/// <c>Module&lt;Tensor, Tensor&gt;</c>.
/// </summary>
/// <remarks>
/// A layer never handles memory. Tensors it makes inside its forward pass and does not return are the engine's: their
/// storage is reused once the call (without a graph) or Backward (with one) is done with them. A tensor a layer keeps
/// across calls is a parameter, a buffer (<see cref="RegisterBuffer"/>), or the <see cref="Tensor.Detach"/> or
/// <see cref="Tensor.Clone"/> of a value, as PyTorch layers do.
/// </remarks>
public abstract class Module
{
    readonly List<(string Name, Tensor Value)> parameters = new();
    readonly List<(string Name, Tensor? Value, bool Persistent)> buffers = new();
    readonly List<(string Name, Module Value)> children = new();
    readonly List<(string Name, Generator Value)> generators = new();

    /// <summary>True in training mode (dropout active, batch statistics), false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    void CheckNew(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: '{name}' is not a valid name (non-empty, no dots).");
        if (parameters.Any(p => p.Name == name) || buffers.Any(b => b.Name == name) || children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered.");
    }

    /// <summary>Registers a trainable tensor under <paramref name="name"/>; marks it RequiresGrad and returns it.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckNew(name);
        if (!value.IsLeaf) throw new ArgumentException($"{GetType().Name}: parameter '{name}' must be a leaf tensor (made by a factory or Detach()), not the result of '{value.GradFnName}'.");
        value.MoveToLongLived();
        value.RequiresGrad = true;
        parameters.Add((name, value));
        return value;
    }

    /// <summary>
    /// Registers a non-trainable tensor under <paramref name="name"/> (running statistics, step counters). A persistent
    /// buffer is saved and loaded with the parameters (<see cref="StateDict"/>); a null one is registered but empty.
    /// </summary>
    protected Tensor? RegisterBuffer(string name, Tensor? value, bool persistent = true)
    {
        CheckNew(name);
        value?.MoveToLongLived();
        buffers.Add((name, value, persistent));
        return value;
    }

    /// <summary>Replaces the value of the buffer <paramref name="name"/> (registered before); returns <paramref name="value"/>.</summary>
    protected Tensor SetBuffer(string name, Tensor value)
    {
        int i = buffers.FindIndex(b => b.Name == name);
        if (i < 0) throw new ArgumentException($"{GetType().Name}: no buffer '{name}' is registered.");
        value.MoveToLongLived();
        buffers[i] = (name, value, buffers[i].Persistent);
        return value;
    }

    /// <summary>
    /// Registers the random generator a layer draws from while training (dropout masks) under <paramref name="name"/>,
    /// so that a resumable checkpoint saves its position and a resumed run draws the same masks; returns it.
    /// </summary>
    protected Generator RegisterGenerator(string name, Generator generator)
    {
        if (generators.Any(g => g.Name == name)) throw new ArgumentException($"{GetType().Name}: the generator name '{name}' is already registered.");
        generators.Add((name, generator));
        return generator;
    }

    /// <summary>The generators of this module and its sub-modules (see <see cref="RegisterGenerator"/>), with dotted names.</summary>
    public IEnumerable<(string Name, Generator Generator)> NamedGenerators(string prefix = "")
    {
        foreach (var (n, g) in generators) yield return (prefix + n, g);
        foreach (var (n, c) in children)
            foreach (var x in c.NamedGenerators(prefix + n + ".")) yield return x;
    }

    /// <summary>Registers a sub-module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckNew(name);
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

    /// <summary>All non-empty buffers of this module and its sub-modules, depth first, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "", bool persistentOnly = false)
    {
        foreach (var (n, b, persistent) in buffers)
            if (b != null && (persistent || !persistentOnly)) yield return (prefix + n, b);
        foreach (var (n, c) in children)
            foreach (var x in c.NamedBuffers(prefix + n + ".", persistentOnly)) yield return x;
    }

    /// <summary>All buffers (see <see cref="NamedBuffers"/>).</summary>
    public IEnumerable<Tensor> Buffers() => NamedBuffers().Select(b => b.Buffer);

    /// <summary>What is saved and loaded: the parameters, then the persistent buffers, with dotted names (PyTorch's state_dict).</summary>
    public IEnumerable<(string Name, Tensor Value)> StateDict() => NamedParameters().Concat(NamedBuffers(persistentOnly: true));

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Numel);

    /// <summary>Sets training mode for this module and all sub-modules; returns this.</summary>
    public Module Train(bool mode = true)
    {
        Training = mode;
        foreach (var (_, c) in children) c.Train(mode);
        return this;
    }

    /// <summary>Sets evaluation mode (dropout off, running statistics); returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>Zeroes the gradients of all parameters, lazily as <see cref="Optimizers.Optimizer.ZeroGrad"/> does (or drops
    /// them with <paramref name="setToNone"/>).</summary>
    public void ZeroGrad(bool setToNone = false) => GradUtil.Zero(Parameters(), setToNone);

    /// <summary>The constructor arguments shown by <see cref="ToString"/>, e.g. "in_features=784, out_features=256".</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>
    /// Runs <paramref name="forward"/> as a module call, for a module's further entry points beside <c>Call</c> (an
    /// RNN called with an initial state): the engine then manages what it makes as it does for <c>Call</c>. The result
    /// must be a tensor or a (nested) tuple of tensors.
    /// </summary>
    protected static T RunAsCall<T>(Func<T> forward)
    {
        if (!ModuleCall.Enter())
        {
            try { return forward(); }
            finally { ModuleCall.ExitNested(); }
        }
        T output = default!;
        bool failed = true;
        try
        {
            output = forward();
            failed = false;
            return output;
        }
        finally { ModuleCall.ExitTop(output, failed); }
    }

    /// <summary>
    /// This layer as a model.json entry: its type name (as registered in <see cref="ModuleRegistry"/>) and constructor
    /// arguments. The default, the class name without arguments, suits layers whose constructor takes none.
    /// </summary>
    public virtual LayerSpec Describe() => new(GetType().Name);

    /// <summary>PyTorch-style tree of modules.</summary>
    public override string ToString()
    {
        var name = GetType().Name;
        int tick = name.IndexOf('`');
        if (tick > 0) name = name[..tick];
        if (children.Count == 0) return $"{name}({ExtraRepr()})";
        var sb = new StringBuilder(name).Append('(');
        if (ExtraRepr() is { Length: > 0 } e) sb.Append(e);
        sb.Append('\n');
        foreach (var (n, c) in children)
            sb.Append("  (").Append(n).Append("): ").Append(c.ToString().Replace("\n", "\n  ")).Append('\n');
        return sb.Append(')').ToString();
    }

    /// <summary>Runs the forward pass for <see cref="ModuleSummary.Summary"/> and records one row per leaf layer; containers override to recurse.</summary>
    internal virtual Tensor Trace(Tensor input, List<(string Layer, string Shape, long Params)> rows, string name)
    {
        if (this is not Module<Tensor, Tensor> m)
            throw new InvalidOperationException($"Summary: {GetType().Name} does not map one tensor to one tensor.");
        var y = m.Forward(input);
        rows.Add(($"{(name.Length > 0 ? name + ": " : "")}{GetType().Name}", ShapeUtil.Str(y.Shape), ParameterCount()));
        return y;
    }
}

/// <summary>
/// A module with one input (a tensor, or a tuple such as (x, (h, c))) and one output (a tensor or a tuple of them).
/// Subclasses define <see cref="Forward"/>; callers use <see cref="Call"/>, through which the engine manages the
/// storage of everything made inside.
/// </summary>
public abstract class Module<TIn, TOut> : Module
{
    /// <summary>Computes the module's output. Shape: documented by each module.</summary>
    public abstract TOut Forward(TIn input);

    /// <summary>
    /// Runs <see cref="Forward"/> as a module call (like calling a PyTorch module): at the top level, the tensors made
    /// inside and not returned go back to the engine's pool once no graph needs them.
    /// </summary>
    public TOut Call(TIn input)
    {
        if (!ModuleCall.Enter())
        {
            try { return Forward(input); }
            finally { ModuleCall.ExitNested(); }
        }
        TOut output = default!;
        bool failed = true;
        try
        {
            output = Forward(input);
            failed = false;
            return output;
        }
        finally { ModuleCall.ExitTop(output, failed); }
    }
}

/// <summary>A module with two inputs (a discriminator that sees an image and a label, an attention block that reads a memory).</summary>
public abstract class Module<TIn1, TIn2, TOut> : Module
{
    /// <summary>Computes the module's output. Shape: documented by each module.</summary>
    public abstract TOut Forward(TIn1 input1, TIn2 input2);

    /// <summary>Runs <see cref="Forward"/> as a module call; see <see cref="Module{TIn, TOut}.Call"/>.</summary>
    public TOut Call(TIn1 input1, TIn2 input2)
    {
        if (!ModuleCall.Enter())
        {
            try { return Forward(input1, input2); }
            finally { ModuleCall.ExitNested(); }
        }
        TOut output = default!;
        bool failed = true;
        try
        {
            output = Forward(input1, input2);
            failed = false;
            return output;
        }
        finally { ModuleCall.ExitTop(output, failed); }
    }
}
