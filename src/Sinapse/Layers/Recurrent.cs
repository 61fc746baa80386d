using Sinapse.IO;
using Sinapse.Kernels;

namespace Sinapse.Layers;

/// <summary>
/// What the recurrent layers share (PyTorch's RNNBase): stacked layers, optional second direction, dropout between
/// layers, initial states in and final states out, sequences of different lengths. One set of weights per layer and
/// direction is reused at every time step; backward runs through time (BPTT). Parameters carry PyTorch's names and
/// shapes — weight_ih_l{k}[_reverse] (G·H, in), weight_hh_l{k} (G·H, H), bias_ih_l{k}, bias_hh_l{k} (G·H) — and all
/// are initialised uniform in ±1/√H, so weights port both ways.
/// </summary>
/// <remarks>
/// Shape (batch first, the default): input (B, T, I) → output (B, T, D·H) with D = 2 when bidirectional; states
/// h and c (L·D, B, H), ordered layer by layer, forward direction first. With <c>batchFirst: false</c> input and output
/// are (T, B, ·). Positions past a sequence's length output zeros and leave its state alone.
/// </remarks>
public abstract class RecurrentLayer : Module<Tensor, Tensor>
{
    readonly CellKind kind;
    readonly Tensor[][] weights; // [layer·D + direction] → w_ih, w_hh, b_ih?, b_hh?
    readonly Generator? gen;

    public int InputSize { get; }
    public int HiddenSize { get; }
    public int NumLayers { get; }
    public bool HasBias { get; }
    public bool BatchFirst { get; }
    public float DropoutP { get; }
    public bool Bidirectional { get; }
    int Directions => Bidirectional ? 2 : 1;

    private protected RecurrentLayer(CellKind kind, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        float dropout, bool bidirectional, Generator? gen)
    {
        string name = TypeName;
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new ArgumentException($"{name}: input_size {inputSize}, hidden_size {hiddenSize} and num_layers {numLayers} must be positive.");
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentException($"{name}: dropout {dropout} must be in [0, 1).");
        (this.kind, InputSize, HiddenSize, NumLayers, HasBias, BatchFirst, DropoutP, Bidirectional, this.gen) =
            (kind, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, gen);
        int g = RecurrentCells.GateCount(kind) * hiddenSize;
        float bound = 1f / MathF.Sqrt(hiddenSize);
        weights = new Tensor[numLayers * Directions][];
        for (int l = 0; l < numLayers; l++)
            for (int d = 0; d < Directions; d++)
            {
                string sfx = $"_l{l}{(d == 1 ? "_reverse" : "")}";
                int inSize = l == 0 ? inputSize : hiddenSize * Directions;
                var w = new List<Tensor>
                {
                    RegisterParameter("weight_ih" + sfx, Tensor.Uniform([g, inSize], -bound, bound, gen)),
                    RegisterParameter("weight_hh" + sfx, Tensor.Uniform([g, hiddenSize], -bound, bound, gen)),
                };
                if (bias)
                {
                    w.Add(RegisterParameter("bias_ih" + sfx, Tensor.Uniform([g], -bound, bound, gen)));
                    w.Add(RegisterParameter("bias_hh" + sfx, Tensor.Uniform([g], -bound, bound, gen)));
                }
                weights[l * Directions + d] = [.. w];
            }
        // Dropout between layers draws from gen (else from Generator.Default, which checkpoints save on their own).
        if (gen != null && dropout > 0 && numLayers > 1) RegisterGenerator("generator", gen);
    }

    /// <summary>PyTorch's class name: RNN, LSTM or GRU.</summary>
    protected abstract string TypeName { get; }

    /// <summary>
    /// Keras's <c>stateful</c>: each <c>Call(x)</c> starts from the final state of the previous one (detached, so
    /// backward stops there: truncated backpropagation through time across batches). The state starts again from zeros
    /// after <see cref="ResetState"/>, when the batch size changes, and when the module switches between training and
    /// evaluation; nothing else resets it (call <see cref="ResetStates"/> at the start of each pass over the data when
    /// no validation runs between epochs). The streams of a batch must continue those of the previous batch row by row.
    /// The overloads that take a state neither read nor update the carried one. A bidirectional layer cannot be
    /// stateful: its reverse half's final state belongs to the start of the chunk.
    /// </summary>
    public bool Stateful
    {
        get => stateful;
        init => stateful = !value || !Bidirectional ? value
            : throw new ArgumentException($"{TypeName}: a bidirectional layer cannot be stateful (the reverse direction's final state belongs to the start of each chunk).");
    }
    readonly bool stateful;

    (Tensor H, Tensor? C)? carried;
    bool carriedTraining;

    /// <summary>Forgets the carried state of a <see cref="Stateful"/> layer: the next call starts from zeros.</summary>
    public void ResetState() => carried = null;

    /// <summary>Forgets the carried state of every recurrent layer in <paramref name="root"/> and below it.</summary>
    public static void ResetStates(Module root)
    {
        if (root is RecurrentLayer r) r.ResetState();
        foreach (var (_, child) in root.NamedChildren()) ResetStates(child);
    }

    /// <summary>The output sequence, for full-length sequences from zero initial states (or the carried state when <see cref="Stateful"/>).</summary>
    public override Tensor Forward(Tensor input)
    {
        if (!Stateful) return Run(input, (null, null), null).Output;
        int batch = input.Rank == 3 ? input.Shape[BatchFirst ? 0 : 1] : -1;
        var start = carried is { } s && carriedTraining == Training && s.H.Shape[1] == batch ? s : default;
        var (output, (h, c)) = Run(input, (start.H, start.C), null);
        carried = (CopyOut(h, carried?.H), c == null ? null : CopyOut(c, carried?.C));
        carriedTraining = Training;
        return output;
    }

    /// <summary>
    /// The carried state lives in the layer's own arrays, reused from call to call (the final state itself belongs to
    /// the call's pooled memory); it is read only at the start of the next call, so overwriting it is safe.
    /// </summary>
    static Tensor CopyOut(Tensor value, Tensor? into)
    {
        if (into == null || !into.Shape.SequenceEqual(value.Shape)) return Tensor.FromArray(value.ToArray(), value.Shape);
        value.Contiguous().AsReadOnlySpan().CopyTo(into.AsSpan());
        return into;
    }

    /// <summary>
    /// The output sequence and the final states, from initial states <paramref name="state"/> (zeros where null) and
    /// optional <paramref name="lengths"/> (valid steps per sequence, 1 … T).
    /// Shape: see the class; h and c (L·D, B, H); c is null except for the LSTM.
    /// </summary>
    public (Tensor Output, (Tensor H, Tensor? C) State) Call(Tensor input, (Tensor? H, Tensor? C) state, int[]? lengths = null) =>
        RunAsCall(() => Run(input, state, lengths));

    /// <summary>As <see cref="Call(Tensor, ValueTuple{Tensor, Tensor}, int[])"/>, lengths read from a (B, T) mask of
    /// 1s followed by 0s (what <see cref="Data.SequenceDataset"/> gives).</summary>
    public (Tensor Output, (Tensor H, Tensor? C) State) Call(Tensor input, (Tensor? H, Tensor? C) state, Tensor mask) =>
        Call(input, state, LengthsFromMask(mask, TypeName));

    /// <summary>Valid lengths from a (B, T) mask whose rows are 1s then 0s; an error names a row that is not.</summary>
    public static int[] LengthsFromMask(Tensor mask, string op = "mask")
    {
        if (mask.Rank != 2) throw new ArgumentException($"{op}: mask must be (batch, time), got {ShapeUtil.Str(mask.Shape)}.");
        int b = mask.Shape[0], t = mask.Shape[1];
        var m = mask.ToArray();
        var lengths = new int[b];
        for (int r = 0; r < b; r++)
        {
            int len = 0;
            while (len < t && m[r * t + len] != 0) len++;
            for (int k = len; k < t; k++)
                if (m[r * t + k] != 0) throw new ArgumentException($"{op}: mask row {r} has a 1 at step {k} after a 0 at step {len}; a mask marks a prefix of valid steps.");
            lengths[r] = len;
        }
        return lengths;
    }

    (Tensor Output, (Tensor H, Tensor? C) State) Run(Tensor input, (Tensor? H, Tensor? C) state, int[]? lengths)
    {
        string name = TypeName;
        if (input.Rank != 3)
            throw new ArgumentException($"{name}: input must be 3-D {(BatchFirst ? "(batch, time, features)" : "(time, batch, features)")}, got {ShapeUtil.Str(input.Shape)}.");
        var x = BatchFirst ? input : input.Transpose(0, 1);
        int b = x.Shape[0];
        if (x.Shape[2] != InputSize) throw new ArgumentException($"{name}({InputSize}→{HiddenSize}): input has {x.Shape[2]} features per step, expected {InputSize} (input {ShapeUtil.Str(input.Shape)}).");
        CheckState(state.H, "h0", b);
        CheckState(state.C, "c0", b);
        if (state.C != null && kind != CellKind.Lstm) throw new ArgumentException($"{name}: only the LSTM has a cell state; pass null for c.");
        var hs = new List<Tensor>(NumLayers * Directions);
        var cs = new List<Tensor>(NumLayers * Directions);
        for (int l = 0; l < NumLayers; l++)
        {
            if (l > 0 && DropoutP > 0) x = F.Dropout(x, DropoutP, Training, gen);
            var outs = new Tensor[Directions];
            for (int d = 0; d < Directions; d++)
            {
                int idx = l * Directions + d;
                var w = weights[idx];
                var (o, hn, cn) = Tensor.RecurrentScan(kind, x, state.H?.Select(0, idx), state.C?.Select(0, idx),
                    w[0], w[1], HasBias ? w[2] : null, HasBias ? w[3] : null, lengths, reverse: d == 1);
                outs[d] = o;
                hs.Add(hn);
                if (cn != null) cs.Add(cn);
            }
            x = Directions == 1 ? outs[0] : Tensor.Concat(outs, 2);
        }
        var output = BatchFirst ? x : x.Transpose(0, 1);
        return (output, (Tensor.Stack(hs, 0), cs.Count > 0 ? Tensor.Stack(cs, 0) : null));
    }

    void CheckState(Tensor? s, string name, int batch)
    {
        if (s == null) return;
        int n = NumLayers * Directions;
        if (s.Rank != 3 || s.Shape[0] != n || s.Shape[1] != batch || s.Shape[2] != HiddenSize)
            throw new ArgumentException($"{TypeName}: {name} {ShapeUtil.Str(s.Shape)} must be ({n}, {batch}, {HiddenSize}) (layers·directions, batch, hidden).");
    }

    protected override string ExtraRepr() =>
        $"{InputSize}, {HiddenSize}" + (NumLayers != 1 ? $", num_layers={NumLayers}" : "") + (HasBias ? "" : ", bias=False") +
        (BatchFirst ? ", batch_first=True" : "") + (DropoutP > 0 ? $", dropout={DropoutP}" : "") + (Bidirectional ? ", bidirectional=True" : "") + ExtraCellRepr() + (Stateful ? ", stateful=True" : "");

    private protected virtual string ExtraCellRepr() => "";

    public override LayerSpec Describe() => new(TypeName, new Dictionary<string, double>(DescribeCell())
    {
        ["input_size"] = InputSize, ["hidden_size"] = HiddenSize, ["num_layers"] = NumLayers, ["bias"] = HasBias ? 1 : 0,
        ["batch_first"] = BatchFirst ? 1 : 0, ["dropout"] = DropoutP, ["bidirectional"] = Bidirectional ? 1 : 0, ["stateful"] = Stateful ? 1 : 0,
    });

    private protected virtual IEnumerable<KeyValuePair<string, double>> DescribeCell() => [];

    /// <summary>The weights of layer <paramref name="layer"/>, direction <paramref name="direction"/>: w_ih, w_hh, then b_ih, b_hh if any.</summary>
    protected IReadOnlyList<Tensor> WeightsOf(int layer, int direction) => weights[layer * Directions + direction];
}

/// <summary>
/// Elman recurrent network: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (or ReLU), one set of weights shared
/// across time. Shape: see <see cref="RecurrentLayer"/>; gates G = 1.
/// </summary>
public sealed class RNN : RecurrentLayer
{
    public string Nonlinearity { get; }

    public RNN(int inputSize, int hiddenSize, int numLayers = 1, string nonlinearity = "tanh", bool bias = true, bool batchFirst = true,
        float dropout = 0f, bool bidirectional = false, Generator? gen = null)
        : base(Kind(nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, gen) => Nonlinearity = nonlinearity;

    static CellKind Kind(string nonlinearity) => nonlinearity switch
    {
        "tanh" => CellKind.RnnTanh,
        "relu" => CellKind.RnnRelu,
        _ => throw new ArgumentException($"RNN: nonlinearity '{nonlinearity}' is not 'tanh' or 'relu'."),
    };

    protected override string TypeName => "RNN";
    private protected override string ExtraCellRepr() => Nonlinearity == "tanh" ? "" : ", nonlinearity='relu'";
    private protected override IEnumerable<KeyValuePair<string, double>> DescribeCell() => [new("relu", Nonlinearity == "relu" ? 1 : 0)];
}

/// <summary>
/// Long short-term memory (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al.): gates i, f, g, o in
/// PyTorch's order; c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t). Shape: see <see cref="RecurrentLayer"/>; gates G = 4.
/// </summary>
public sealed class LSTM : RecurrentLayer
{
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = true, float dropout = 0f,
        bool bidirectional = false, Generator? gen = null)
        : base(CellKind.Lstm, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, gen) { }

    protected override string TypeName => "LSTM";

    /// <summary>
    /// Sets every forget gate's bias to <paramref name="value"/> (bias_ih's f block to the value, bias_hh's to 0), so
    /// that the cell remembers by default at the start of training (Jozefowicz et al. 2015 recommend 1).
    /// </summary>
    public LSTM InitForgetGateBias(float value = 1f)
    {
        if (!HasBias) throw new InvalidOperationException("LSTM.InitForgetGateBias: the layer was made with bias: false.");
        int h = HiddenSize;
        using (Autograd.NoGrad())
            for (int l = 0; l < NumLayers; l++)
                for (int d = 0; d < (Bidirectional ? 2 : 1); d++)
                {
                    var w = WeightsOf(l, d);
                    w[2].Slice(0, h, 2 * h).CopyFrom(Tensor.Full([h], value));
                    w[3].Slice(0, h, 2 * h).CopyFrom(Tensor.Zeros(h));
                }
        return this;
    }
}

/// <summary>
/// Gated recurrent unit (Cho et al. 2014), PyTorch's formulation: r = σ(W_ir x + b_ir + W_hr h + b_hr),
/// z = σ(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h.
/// Shape: see <see cref="RecurrentLayer"/>; gates G = 3 (r, z, n).
/// </summary>
public sealed class GRU : RecurrentLayer
{
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = true, float dropout = 0f,
        bool bidirectional = false, Generator? gen = null)
        : base(CellKind.Gru, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, gen) { }

    protected override string TypeName => "GRU";
}
