using Sinapse.IO;
using Sinapse.Kernels;

namespace Sinapse.Layers;

/// <summary>
/// One step of a recurrent cell, for loops written by hand (a decoder feeding back its output, an agent stepping
/// through an episode): PyTorch's RNNCell, LSTMCell and GRUCell, with their parameter names weight_ih (G·H, in),
/// weight_hh (G·H, H), bias_ih, bias_hh (G·H), initialised uniform in ±1/√H. A step runs the same op as the layers
/// (<see cref="Tensor.RecurrentScan"/>) over one time step.
/// </summary>
/// <remarks>Shape: input (B, in), states h and c (B, H) → new h and c (B, H); c is null except for the LSTM.</remarks>
public abstract class RecurrentCell : Module<Tensor, Tensor>
{
    readonly CellKind kind;

    public int InputSize { get; }
    public int HiddenSize { get; }
    public Tensor WeightIh { get; }
    public Tensor WeightHh { get; }
    public Tensor? BiasIh { get; }
    public Tensor? BiasHh { get; }

    private protected RecurrentCell(CellKind kind, int inputSize, int hiddenSize, bool bias, Generator? gen)
    {
        if (inputSize <= 0 || hiddenSize <= 0) throw new ArgumentException($"{TypeName}: input_size {inputSize} and hidden_size {hiddenSize} must be positive.");
        (this.kind, InputSize, HiddenSize) = (kind, inputSize, hiddenSize);
        int g = RecurrentCells.GateCount(kind) * hiddenSize;
        float bound = 1f / MathF.Sqrt(hiddenSize);
        WeightIh = RegisterParameter("weight_ih", Tensor.Uniform([g, inputSize], -bound, bound, gen));
        WeightHh = RegisterParameter("weight_hh", Tensor.Uniform([g, hiddenSize], -bound, bound, gen));
        if (bias)
        {
            BiasIh = RegisterParameter("bias_ih", Tensor.Uniform([g], -bound, bound, gen));
            BiasHh = RegisterParameter("bias_hh", Tensor.Uniform([g], -bound, bound, gen));
        }
    }

    /// <summary>PyTorch's class name.</summary>
    protected abstract string TypeName { get; }

    /// <summary>The new hidden state from zero states.</summary>
    public override Tensor Forward(Tensor input) => Step(input, (null, null)).H;

    /// <summary>The new states (h', c') from <paramref name="state"/> (zeros where null). Shape: see the class.</summary>
    public (Tensor H, Tensor? C) Call(Tensor input, (Tensor? H, Tensor? C) state) => RunAsCall(() => Step(input, state));

    (Tensor H, Tensor? C) Step(Tensor input, (Tensor? H, Tensor? C) state)
    {
        if (input.Rank != 2 || input.Shape[1] != InputSize)
            throw new ArgumentException($"{TypeName}({InputSize}→{HiddenSize}): input must be (batch, {InputSize}), got {ShapeUtil.Str(input.Shape)}.");
        var (_, h, c) = Tensor.RecurrentScan(kind, input.Unsqueeze(1), state.H, state.C, WeightIh, WeightHh, BiasIh, BiasHh);
        return (h, c);
    }

    protected override string ExtraRepr() => $"{InputSize}, {HiddenSize}" + (BiasIh == null ? ", bias=False" : "") + ExtraCellRepr();
    private protected virtual string ExtraCellRepr() => "";

    public override LayerSpec Describe() => new(TypeName, new Dictionary<string, double>(DescribeCell())
        { ["input_size"] = InputSize, ["hidden_size"] = HiddenSize, ["bias"] = BiasIh != null ? 1 : 0 });

    private protected virtual IEnumerable<KeyValuePair<string, double>> DescribeCell() => [];
}

/// <summary>Elman cell: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or ReLU). See <see cref="RecurrentCell"/>.</summary>
public sealed class RNNCell(int inputSize, int hiddenSize, bool bias = true, string nonlinearity = "tanh", Generator? gen = null)
    : RecurrentCell(nonlinearity switch
    {
        "tanh" => CellKind.RnnTanh,
        "relu" => CellKind.RnnRelu,
        _ => throw new ArgumentException($"RNNCell: nonlinearity '{nonlinearity}' is not 'tanh' or 'relu'."),
    }, inputSize, hiddenSize, bias, gen)
{
    public string Nonlinearity { get; } = nonlinearity;
    protected override string TypeName => "RNNCell";
    private protected override string ExtraCellRepr() => Nonlinearity == "tanh" ? "" : ", nonlinearity='relu'";
    private protected override IEnumerable<KeyValuePair<string, double>> DescribeCell() => [new("relu", Nonlinearity == "relu" ? 1 : 0)];
}

/// <summary>LSTM cell, gates i, f, g, o. See <see cref="RecurrentCell"/> and <see cref="LSTM"/>.</summary>
public sealed class LSTMCell(int inputSize, int hiddenSize, bool bias = true, Generator? gen = null)
    : RecurrentCell(CellKind.Lstm, inputSize, hiddenSize, bias, gen)
{
    protected override string TypeName => "LSTMCell";
}

/// <summary>GRU cell, gates r, z, n. See <see cref="RecurrentCell"/> and <see cref="GRU"/>.</summary>
public sealed class GRUCell(int inputSize, int hiddenSize, bool bias = true, Generator? gen = null)
    : RecurrentCell(CellKind.Gru, inputSize, hiddenSize, bias, gen)
{
    protected override string TypeName => "GRUCell";
}
