using Sinapse.IO;
using Sinapse.Kernels;
using Sinapse.Layers;

namespace Sinapse.Tests;

using static TestUtil;

/// <summary>
/// The recurrent scan against the cell equations written step by step with primitive ops, against finite
/// differences through time, and the layers' shapes, names, padding and errors.
/// </summary>
public class RecurrentTests
{
    const int B = 2, T = 4, I = 3, H = 5;

    static int Gates(CellKind k) => RecurrentCells.GateCount(k);

    /// <summary>The cell equations one step at a time with autograd's primitive ops (PyTorch's documented formulas).</summary>
    static (Tensor Y, Tensor HN, Tensor? CN) Reference(CellKind kind, Tensor x, Tensor? h0, Tensor? c0, Tensor wih, Tensor whh,
        Tensor? bih, Tensor? bhh, int[]? lengths = null, bool reverse = false)
    {
        int b = x.Shape[0], t = x.Shape[1], h = whh.Shape[1];
        var outputs = new Tensor[b];
        var hs = new Tensor[b];
        var cs = new Tensor[b];
        for (int r = 0; r < b; r++)
        {
            int len = lengths?[r] ?? t;
            var hPrev = h0?.Slice(0, r, r + 1) ?? Tensor.Zeros(1, h);
            var cPrev = c0?.Slice(0, r, r + 1) ?? Tensor.Zeros(1, h);
            var ys = new Tensor[t];
            for (int s = 0; s < len; s++)
            {
                int step = reverse ? len - 1 - s : s;
                var xt = x.Slice(0, r, r + 1).Select(1, step); // (1, I)
                var gx = Tensor.Linear(xt, wih, bih);
                var gh = Tensor.Linear(hPrev, whh, bhh);
                Tensor Part(Tensor v, int k) => v.Slice(1, k * h, (k + 1) * h);
                switch (kind)
                {
                    case CellKind.Lstm:
                    {
                        var g = gx + gh;
                        var c = Part(g, 1).Sigmoid() * cPrev + Part(g, 0).Sigmoid() * Part(g, 2).Tanh();
                        hPrev = Part(g, 3).Sigmoid() * c.Tanh();
                        cPrev = c;
                        break;
                    }
                    case CellKind.Gru:
                    {
                        var rr = (Part(gx, 0) + Part(gh, 0)).Sigmoid();
                        var z = (Part(gx, 1) + Part(gh, 1)).Sigmoid();
                        var n = (Part(gx, 2) + rr * Part(gh, 2)).Tanh();
                        hPrev = (1f - z) * n + z * hPrev;
                        break;
                    }
                    default:
                        hPrev = kind == CellKind.RnnRelu ? (gx + gh).Relu() : (gx + gh).Tanh();
                        break;
                }
                ys[step] = hPrev;
            }
            for (int s = len; s < t; s++) ys[s] = Tensor.Zeros(1, h);
            outputs[r] = Tensor.Stack(ys, 1); // (1, T, H)
            hs[r] = hPrev; cs[r] = cPrev;
        }
        return (Tensor.Concat(outputs, 0), Tensor.Concat(hs, 0), kind == CellKind.Lstm ? Tensor.Concat(cs, 0) : null);
    }

    static Tensor[] Inputs(CellKind kind, bool states, ulong seed = 3)
    {
        int g = Gates(kind) * H;
        var list = new List<Tensor>
        {
            Param([B, T, I], seed), Param([g, I], seed + 1, -0.6f, 0.6f), Param([g, H], seed + 2, -0.6f, 0.6f),
            Param([g], seed + 3, -0.5f, 0.5f), Param([g], seed + 4, -0.5f, 0.5f),
        };
        if (states) list.Add(Param([B, H], seed + 5, -0.8f, 0.8f));
        if (states && kind == CellKind.Lstm) list.Add(Param([B, H], seed + 6, -0.8f, 0.8f));
        return [.. list];
    }

    static Tensor Everything((Tensor Y, Tensor HN, Tensor? CN) r) =>
        Tensor.Concat(r.CN == null ? [r.Y.Flatten(), r.HN.Flatten()] : [r.Y.Flatten(), r.HN.Flatten(), r.CN.Flatten()], 0);

    static (Tensor, Tensor, Tensor?) Fused(CellKind kind, Tensor[] t, int[]? lengths, bool reverse) =>
        Tensor.RecurrentScan(kind, t[0], t.Length > 5 ? t[5] : null, t.Length > 6 ? t[6] : null, t[1], t[2], t[3], t[4], lengths, reverse);

    static (Tensor, Tensor, Tensor?) Ref(CellKind kind, Tensor[] t, int[]? lengths, bool reverse) =>
        Reference(kind, t[0], t.Length > 5 ? t[5] : null, t.Length > 6 ? t[6] : null, t[1], t[2], t[3], t[4], lengths, reverse);

    public static TheoryData<CellKind, bool, bool, bool> Cases()
    {
        var d = new TheoryData<CellKind, bool, bool, bool>();
        foreach (var k in new[] { CellKind.RnnTanh, CellKind.RnnRelu, CellKind.Lstm, CellKind.Gru })
        {
            d.Add(k, false, false, false);
            d.Add(k, true, true, false);
            d.Add(k, true, false, true);
        }
        d.Add(CellKind.Lstm, true, true, true);
        d.Add(CellKind.Gru, true, true, true);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scan_matches_the_cell_equations_in_values_and_every_gradient(CellKind kind, bool states, bool withLengths, bool reverse)
    {
        int[]? lengths = withLengths ? [T, 2] : null;
        var a = Inputs(kind, states);
        var b = a.Select(t => t.Detach().RequireGrad()).ToArray();
        var fused = Fused(kind, a, lengths, reverse);
        var reference = Ref(kind, b, lengths, reverse);
        Close(Everything(reference).Detach(), Everything(fused).Detach(), 1e-5f);
        var w = Tensor.Uniform(Everything(fused).Shape, 0.5f, 1.5f, new Generator(9));
        (Everything(fused) * w).Sum().Backward();
        (Everything(reference) * w).Sum().Backward();
        for (int k = 0; k < a.Length; k++) Close(b[k].Grad!, a[k].Grad!, 1e-4f);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scan_gradients_pass_finite_differences_through_time(CellKind kind, bool states, bool withLengths, bool reverse)
    {
        int[]? lengths = withLengths ? [T, 2] : null;
        var inputs = Inputs(kind, states, seed: 11);
        Passes(GradCheck.Check(t => Everything(Fused(kind, t, lengths, reverse)), inputs, eps: 1e-2));
    }

    [Fact]
    public void Gradient_reaches_the_inputs_through_the_final_state_alone()
    {
        var t = Inputs(CellKind.Lstm, states: true, seed: 21);
        Passes(GradCheck.Check(v => Fused(CellKind.Lstm, v, null, false).Item3!, t));
        var g = Inputs(CellKind.Gru, states: true, seed: 22);
        Passes(GradCheck.Check(v => Fused(CellKind.Gru, v, null, false).Item2, g));
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.RnnTanh)]
    public void Padding_changes_neither_outputs_nor_gradients(CellKind kind)
    {
        // Sequence 1 has 2 valid steps; its padding holds zeros in one copy and noise in the other.
        var clean = Inputs(kind, false, seed: 31);
        var noisy = clean.Select(t => t.Detach().RequireGrad()).ToArray();
        var x = noisy[0].Detach().ToArray();
        var noise = Tensor.Uniform([T * I], -5, 5, new Generator(4)).ToArray();
        for (int s = 2; s < T; s++) for (int f = 0; f < I; f++) x[(T + s) * I + f] = noise[s * I + f];
        x[(T + 3) * I] = float.NaN; // padding is never read, not even NaN
        noisy[0] = Tensor.FromArray(x, B, T, I).RequireGrad();
        foreach (bool reverse in new[] { false, true })
        {
            foreach (var t in clean.Concat(noisy)) t.Grad = null;
            var a = Fused(kind, clean, [T, 2], reverse);
            var b = Fused(kind, noisy, [T, 2], reverse);
            Close(Everything(a).Detach(), Everything(b).Detach(), 0f);
            Everything(a).Sum().Backward();
            Everything(b).Sum().Backward();
            for (int k = 1; k < clean.Length; k++) Close(clean[k].Grad!, noisy[k].Grad!, 1e-6f);
            var ga = clean[0].Grad!.ToArray(); var gb = noisy[0].Grad!.ToArray();
            for (int s = 2; s < T; s++) for (int f = 0; f < I; f++) Assert.Equal(0f, gb[(T + s) * I + f]);
            Close(ga, gb, 1e-6f);
        }
    }

    [Fact]
    public void Layers_have_pytorch_parameter_names_shapes_and_output_shapes()
    {
        var lstm = new LSTM(3, 4, numLayers: 2, bidirectional: true, gen: new Generator(1));
        var names = lstm.NamedParameters().Select(p => $"{p.Name}:{string.Join("x", p.Parameter.Shape)}").ToArray();
        Assert.Equal(new[]
        {
            "weight_ih_l0:16x3", "weight_hh_l0:16x4", "bias_ih_l0:16", "bias_hh_l0:16",
            "weight_ih_l0_reverse:16x3", "weight_hh_l0_reverse:16x4", "bias_ih_l0_reverse:16", "bias_hh_l0_reverse:16",
            "weight_ih_l1:16x8", "weight_hh_l1:16x4", "bias_ih_l1:16", "bias_hh_l1:16",
            "weight_ih_l1_reverse:16x8", "weight_hh_l1_reverse:16x4", "bias_ih_l1_reverse:16", "bias_hh_l1_reverse:16",
        }, names);
        var x = Tensor.Randn([2, 7, 3], new Generator(2));
        var (y, (h, c)) = lstm.Call(x, (null, null));
        Assert.Equal(new[] { 2, 7, 8 }, y.Shape);
        Assert.Equal(new[] { 4, 2, 4 }, h.Shape);
        Assert.Equal(new[] { 4, 2, 4 }, c!.Shape);
        // The forward half's last output is its final state; the reverse half's first output is its own.
        Close(h.Select(0, 2), y.Select(1, 6).Slice(1, 0, 4), 0f);
        Close(h.Select(0, 3), y.Select(1, 0).Slice(1, 4, 8), 0f);

        var gru = new GRU(3, 6, batchFirst: false, gen: new Generator(3));
        Assert.Equal(new[] { 7, 2, 6 }, gru.Call(x.Transpose(0, 1).Contiguous()).Shape);
        Assert.Equal("GRU(3, 6)", gru.ToString());
        Assert.Equal("RNN(3, 2, num_layers=3, batch_first=True, nonlinearity='relu')", new RNN(3, 2, 3, "relu").ToString());
        Assert.Equal(new[] { 18, 2 }, new GRU(2, 6).NamedParameters().First().Parameter.Shape);
    }

    [Fact]
    public void Initial_state_flows_and_final_state_continues_a_split_sequence()
    {
        // Running T steps at once equals running the first half, then the second from the first's final state.
        var g = new Generator(5);
        var lstm = new LSTM(3, 4, numLayers: 2, gen: g);
        var x = Tensor.Randn([2, 6, 3], g);
        var (whole, (hw, cw)) = lstm.Call(x, (null, null));
        var (first, s1) = lstm.Call(x.Slice(1, 0, 3).Contiguous(), (null, null));
        var (second, (h2, c2)) = lstm.Call(x.Slice(1, 3, 6).Contiguous(), (s1.H, s1.C));
        Close(whole.Slice(1, 3, 6).Contiguous(), second, 1e-6f);
        Close(hw, h2, 1e-6f);
        Close(cw!, c2!, 1e-6f);
        Close(whole.Slice(1, 0, 3).Contiguous(), first, 0f);
    }

    [Fact]
    public void Mask_gives_the_same_result_as_lengths_and_bad_masks_are_named()
    {
        var gru = new GRU(3, 4, gen: new Generator(6));
        var x = Tensor.Randn([2, 5, 3], new Generator(7));
        var mask = Tensor.FromArray([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], 2, 5);
        Close(gru.Call(x, (null, null), [5, 2]).Output, gru.Call(x, (null, null), mask).Output, 0f);
        var bad = Tensor.FromArray([1, 0, 1, 0, 0, 1, 1, 1, 1, 1], 2, 5);
        var e = Assert.Throws<ArgumentException>(() => gru.Call(x, (null, null), bad));
        Assert.Contains("row 0", e.Message);
    }

    [Fact]
    public void Errors_name_the_layer_and_the_shapes()
    {
        var lstm = new LSTM(3, 4);
        var e = Assert.Throws<ArgumentException>(() => lstm.Call(Tensor.Zeros(2, 5, 7)));
        Assert.Contains("LSTM(3→4)", e.Message); Assert.Contains("7 features", e.Message);
        e = Assert.Throws<ArgumentException>(() => lstm.Call(Tensor.Zeros(2, 5)));
        Assert.Contains("3-D", e.Message);
        e = Assert.Throws<ArgumentException>(() => lstm.Call(Tensor.Zeros(2, 5, 3), (Tensor.Zeros(1, 3, 4), null)));
        Assert.Contains("h0 (1, 3, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => lstm.Call(Tensor.Zeros(2, 5, 3), (null, null), [5, 6]));
        Assert.Contains("length 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GRU(3, 4).Call(Tensor.Zeros(1, 2, 3), (null, Tensor.Zeros(1, 1, 4))));
        Assert.Contains("only the LSTM", e.Message);
        Assert.Throws<ArgumentException>(() => new RNN(3, 4, nonlinearity: "sigmoid"));
    }

    [Fact]
    public void Forget_gate_bias_initialises_to_one()
    {
        var lstm = new LSTM(2, 3).InitForgetGateBias(1f);
        var bih = lstm.NamedParameters().First(p => p.Name == "bias_ih_l0").Parameter.ToArray();
        var bhh = lstm.NamedParameters().First(p => p.Name == "bias_hh_l0").Parameter.ToArray();
        for (int j = 3; j < 6; j++) { Assert.Equal(1f, bih[j]); Assert.Equal(0f, bhh[j]); }
    }

    [Fact]
    public void Embedding_looks_up_rows_and_scatters_gradients()
    {
        var emb = new Embedding(5, 3, paddingIdx: 0, gen: new Generator(8));
        Assert.Equal(new float[3], emb.Weight.Select(0, 0).ToArray());
        var idx = Tensor.FromArray([1, 4, 1, 0, 2, 1], 2, 3);
        var y = emb.Call(idx);
        Assert.Equal(new[] { 2, 3, 3 }, y.Shape);
        Close(emb.Weight.Select(0, 4), y.Select(0, 0).Select(0, 1), 0f);
        y.Sum().Backward();
        var g = emb.Weight.Grad!.ToArray();
        Assert.Equal(new float[] { 0, 0, 0, 3, 3, 3, 1, 1, 1, 0, 0, 0, 1, 1, 1 }, g);
        var e = Assert.Throws<IndexOutOfRangeException>(() => emb.Call(Tensor.FromArray([5f])));
        Assert.Contains("0…4", e.Message);
        var w = Param([4, 2], 3);
        Passes(GradCheck.Check(t => Tensor.Embedding(Tensor.FromArray([3, 1, 3, 0]), t[0]), [w]));
    }

    [Fact]
    public void Recurrent_layers_round_trip_through_model_json()
    {
        foreach (Module<Tensor, Tensor> m in new Module<Tensor, Tensor>[]
            { new LSTM(3, 4, 2, dropout: 0.1f, bidirectional: true), new GRU(2, 5), new RNN(4, 3, nonlinearity: "relu"), new Embedding(7, 3, 0) })
        {
            var spec = m.Describe();
            var plan = ModuleRegistry.Plan(spec);
            Assert.Equal(m.ParameterCount(), plan.Values);
            var rebuilt = plan.Build(null);
            Assert.Equal(m.ToString(), rebuilt.ToString());
        }
    }
}
