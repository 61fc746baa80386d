using Sinapse.Layers;

namespace Sinapse.Classic;

/// <summary>
/// An extreme learning machine (Huang, Zhu &amp; Siew 2006): a single hidden layer whose weights are random and never
/// trained, and output weights solved in one step by ridge regression on the hidden activations — no gradient descent,
/// no epochs. Classification targets are class indices, fitted as one-hot vectors; the prediction is the arg-max.
/// </summary>
/// <remarks>Shape: (N, inputs) → (N, outputs). Its weights are buffers (saved with the model, never given to an optimizer).</remarks>
public sealed class ExtremeLearningMachine : Module<Tensor, Tensor>
{
    readonly Tensor inputWeight, inputBias;
    Tensor outputWeight;
    public int Inputs { get; }
    public int Hidden { get; }
    public int Outputs { get; }
    /// <summary>The ridge penalty λ of the output solve.</summary>
    public float Lambda { get; }

    public ExtremeLearningMachine(int inputs, int hidden, int outputs, float lambda = 1e-2f, Generator? gen = null)
    {
        if (inputs <= 0 || hidden <= 0 || outputs <= 0) throw new ArgumentException($"ExtremeLearningMachine: sizes {inputs}, {hidden}, {outputs} must be positive.");
        (Inputs, Hidden, Outputs, Lambda) = (inputs, hidden, outputs, lambda);
        gen ??= Generator.Default;
        // Inputs are expected standardised; a uniform ±1/√inputs spread keeps tanh out of saturation.
        float bound = 1f / MathF.Sqrt(inputs);
        inputWeight = RegisterBuffer("input_weight", Tensor.Uniform([hidden, inputs], -bound, bound, gen))!;
        inputBias = RegisterBuffer("input_bias", Tensor.Uniform([hidden], -1f, 1f, gen))!;
        outputWeight = RegisterBuffer("output_weight", Tensor.Zeros(outputs, hidden))!;
    }

    /// <summary>The random hidden layer's activations tanh(x·Wᵀ + b) (N, hidden).</summary>
    public Tensor HiddenActivations(Tensor x)
    {
        using var _ = Autograd.NoGrad();
        return (x.MatMul(inputWeight.T) + inputBias).Tanh();
    }

    /// <summary>
    /// Solves the output weights for inputs (N, inputs) and targets: class indices (N) or values (N, outputs). The
    /// hidden activations are made <paramref name="chunk"/> rows at a time and only HᵀH and HᵀT are kept, so the memory
    /// does not grow with N. <paramref name="progress"/>, if given, hears the fraction done after each chunk.
    /// </summary>
    public void Fit(Tensor x, Tensor y, int chunk = 4096, Action<double>? progress = null)
    {
        if (x.Rank != 2 || x.Shape[1] != Inputs) throw new ArgumentException($"ExtremeLearningMachine.Fit: input {ShapeUtil.Str(x.Shape)}, expected (N, {Inputs}).");
        var targets = y.Rank == 1 ? Tensor.OneHot(y, Outputs) : y;
        if (targets.Rank != 2 || targets.Shape[0] != x.Shape[0] || targets.Shape[1] != Outputs)
            throw new ArgumentException($"ExtremeLearningMachine.Fit: targets {ShapeUtil.Str(y.Shape)} for {x.Shape[0]} rows and {Outputs} outputs.");
        var acc = new RidgeAccumulator(Hidden, Outputs);
        int n = x.Shape[0];
        for (int start = 0; start < n; start += chunk)
        {
            int end = Math.Min(n, start + chunk);
            acc.Add(HiddenActivations(x.Slice(0, start, end)), targets.Slice(0, start, end));
            progress?.Invoke(0.9 * end / n); // the solve is the last tenth, roughly
        }
        outputWeight = SetBuffer("output_weight", acc.Solve(Lambda).T.Contiguous()); // (outputs, hidden)
    }

    public override Tensor Forward(Tensor input) => HiddenActivations(input).MatMul(outputWeight.T);
}
