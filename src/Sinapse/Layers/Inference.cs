using Sinapse.Kernels;

namespace Sinapse.Layers;

/// <summary>
/// The one step that prepares a model for inference (like <c>torch.jit.freeze</c>): <see cref="Prepare"/> returns a
/// module that computes exactly what the model computes in evaluation mode without gradients, bit for bit, faster.
/// </summary>
public static class Inference
{
    /// <summary>
    /// Puts <paramref name="model"/> in evaluation mode and returns a module that runs it without recording a graph,
    /// with these changes, none of which alters a single bit of the output:
    /// <list type="bullet">
    /// <item>nested <see cref="Sequential"/>s are flattened, and a <see cref="Linear"/> followed by <see cref="ReLU"/> runs
    /// as one op (the GEMM clamps each output as it stores it);</item>
    /// <item>large Linear weights are read from packed copies: the GEMM's B layout for a batch, 64-row blocks for a
    /// single sample;</item>
    /// <item>a model made only of Flatten, Linear and ReLU layers runs a single sample through all its layers in one job
    /// on all threads.</item>
    /// </list>
    /// The prepared module reads the model's own parameters: packed copies are rebuilt when a weight's
    /// <see cref="Tensor.Version"/> changes (after an optimizer step or a load), so it can be kept while training goes on.
    /// The copies cost one more copy of the large weights.
    /// </summary>
    public static PreparedModel Prepare(Module<Tensor, Tensor> model)
    {
        model.Eval();
        var steps = new List<Module<Tensor, Tensor>>();
        var flat = new List<Module<Tensor, Tensor>>();
        Flatten(model, flat);
        for (int i = 0; i < flat.Count; i++)
        {
            if (flat[i] is Linear lin)
            {
                bool relu = i + 1 < flat.Count && flat[i + 1] is ReLU;
                steps.Add(new FusedLinear(lin, relu));
                if (relu) i++;
            }
            else steps.Add(flat[i]);
        }
        return new PreparedModel(model, steps);
    }

    static void Flatten(Module<Tensor, Tensor> m, List<Module<Tensor, Tensor>> into)
    {
        if (m is Sequential s) foreach (var l in s.Layers) Flatten(l, into);
        else into.Add(m);
    }
}

/// <summary>
/// A model prepared for inference by <see cref="Inference.Prepare"/>. Shape: that of the model it was made from.
/// It owns no parameters of its own: saving, loading and training go through the source model.
/// </summary>
public sealed class PreparedModel : Module<Tensor, Tensor>
{
    readonly IReadOnlyList<Module<Tensor, Tensor>> steps;
    readonly MlpChain? chain;

    /// <summary>The model this one was prepared from.</summary>
    public Module<Tensor, Tensor> Source { get; }

    internal PreparedModel(Module<Tensor, Tensor> source, IReadOnlyList<Module<Tensor, Tensor>> steps)
    {
        Source = source;
        this.steps = steps;
        chain = MlpChain.TryMake(steps);
        Train(false);
    }

    /// <summary>The layers as they run (fused where they could be).</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> Steps => steps;

    public override Tensor Forward(Tensor input)
    {
        using var _ = Autograd.NoGrad();
        if (chain != null && chain.TryRun(input, out var y)) return y;
        var x = input;
        foreach (var s in steps) x = s.Call(x);
        return x;
    }

    protected override string ExtraRepr() => $"steps=[{string.Join(", ", steps.Select(s => s.GetType().Name))}], single_sample_chain={(chain != null ? "True" : "False")}";
}

/// <summary>A <see cref="Linear"/> layer, optionally followed by ReLU, as one op reading packed copies of its weight.</summary>
internal sealed class FusedLinear(Linear layer, bool relu) : Module<Tensor, Tensor>
{
    public Linear Layer { get; } = layer;
    public bool Relu { get; } = relu;
    public PackedWeights Packed { get; } = new();

    public override Tensor Forward(Tensor input) => Tensor.Linear(input, Layer.Weight, Layer.Bias, Relu, Packed);
}
