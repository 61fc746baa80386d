using Sinapse.Kernels;

namespace Sinapse;

// One recurrent layer in one direction over a whole sequence, as one op (like PyTorch's fused RNN kernels).
public sealed partial class Tensor
{
    /// <summary>
    /// Runs a recurrent cell over every time step of <paramref name="x"/> (one layer, one direction) and returns the
    /// output at every step and the final state. The input projection of all steps is one GEMM, the recurrent product
    /// one GEMM per step, the gate non-linearities one fused pass per step; backward through time runs the same way in
    /// reverse and computes the weights' gradients as whole-sequence GEMMs at the end.
    /// </summary>
    /// <param name="kind">The cell (Elman tanh/ReLU, LSTM, GRU).</param>
    /// <param name="x">Input sequence, batch first.</param>
    /// <param name="h0">Initial hidden state, or null for zeros.</param>
    /// <param name="c0">Initial cell state (LSTM only), or null for zeros.</param>
    /// <param name="wIh">weight_ih: (G·H, I) with G = 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n).</param>
    /// <param name="wHh">weight_hh: (G·H, H).</param>
    /// <param name="bIh">bias_ih (G·H), or null.</param>
    /// <param name="bHh">bias_hh (G·H), or null.</param>
    /// <param name="lengths">Valid steps of each sequence (1 … T), or null when all are full: steps past a sequence's
    /// length leave its state unchanged and output zeros, so padding changes neither outputs nor gradients.</param>
    /// <param name="reverse">Run from the last valid step to the first (the backward half of a bidirectional layer).</param>
    /// <remarks>
    /// Shape: x (B, T, I), h0 and c0 (B, H) → output (B, T, H), h_n and c_n (B, H). h_n is the state after each
    /// sequence's last valid step (its first, when reversed); c_n is null except for the LSTM.
    /// </remarks>
    public static (Tensor Output, Tensor HN, Tensor? CN) RecurrentScan(CellKind kind, Tensor x, Tensor? h0, Tensor? c0,
        Tensor wIh, Tensor wHh, Tensor? bIh, Tensor? bHh, int[]? lengths = null, bool reverse = false)
    {
        var scan = new RecurrentScan(kind, x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse);
        return scan.Run();
    }
}

/// <summary>
/// The buffers and steps of <see cref="Tensor.RecurrentScan"/>. All per-step buffers are time-major, (T, B, ·).
/// W_hh's packed copies are cached per weight tensor and rebuilt when its version changes; like the rest of training,
/// a model is run by one thread at a time.
/// </summary>
internal sealed class RecurrentScan
{
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Tensor, PackedWeights> packs = new();

    readonly CellKind kind;
    readonly Tensor x, wIh, wHh;
    readonly Tensor? h0, c0, bIh, bHh;
    readonly int[]? lengths;
    readonly bool reverse;
    readonly int b, t, i, h, gh;
    Tensor xtm = null!, gates = null!, hin = null!, y = null!, hN = null!;
    Tensor? cin, tanhC, hp, cN;
    Tensor? dhN, dcN;      // gradients of the final states, handed over by their side outputs
    Tensor? noOutputGradient; // what the side outputs pass to the output: "no gradient of its own"
    // Backward-only state of the step in progress.
    Tensor? gy, dh, dc, dhPrev, dG, dGh;
    int step, time;
    readonly Action<int, int> forwardRows, backwardRows;

    public RecurrentScan(CellKind kind, Tensor x, Tensor? h0, Tensor? c0, Tensor wIh, Tensor wHh, Tensor? bIh, Tensor? bHh, int[]? lengths, bool reverse)
    {
        string op = RecurrentCells.Name(kind);
        int g = RecurrentCells.GateCount(kind);
        if (x.Rank != 3) throw new ArgumentException($"{op}: input must be 3-D (batch, time, features), got {ShapeUtil.Str(x.shape)}.");
        if (wHh.Rank != 2 || wHh.shape[0] % g != 0 || wHh.shape[0] / g != wHh.shape[1])
            throw new ArgumentException($"{op}: weight_hh must be ({g}·H, H), got {ShapeUtil.Str(wHh.shape)}.");
        (b, t, i, h) = (x.shape[0], x.shape[1], x.shape[2], wHh.shape[1]);
        gh = g * h;
        if (t == 0 || b == 0) throw new ArgumentException($"{op}: input {ShapeUtil.Str(x.shape)} has no time steps or no sequences.");
        if (wIh.Rank != 2 || wIh.shape[0] != gh || wIh.shape[1] != i)
            throw new ArgumentException($"{op}: weight_ih {ShapeUtil.Str(wIh.shape)} must be ({gh}, {i}) for input {ShapeUtil.Str(x.shape)} and hidden size {h}.");
        foreach (var (bias, name) in new[] { (bIh, "bias_ih"), (bHh, "bias_hh") })
            if (bias != null && (bias.Rank != 1 || bias.shape[0] != gh)) throw new ArgumentException($"{op}: {name} {ShapeUtil.Str(bias.shape)} must be ({gh},).");
        foreach (var (s, name) in new[] { (h0, "h0"), (c0, "c0") })
            if (s != null && (s.Rank != 2 || s.shape[0] != b || s.shape[1] != h))
                throw new ArgumentException($"{op}: {name} {ShapeUtil.Str(s.shape)} must be ({b}, {h}) for input {ShapeUtil.Str(x.shape)}.");
        if (c0 != null && kind != CellKind.Lstm) throw new ArgumentException($"{op}: only the LSTM has a cell state; c0 must be null.");
        if (lengths != null)
        {
            if (lengths.Length != b) throw new ArgumentException($"{op}: {lengths.Length} lengths for {b} sequences (input {ShapeUtil.Str(x.shape)}).");
            foreach (var len in lengths)
                if (len < 1 || len > t) throw new ArgumentException($"{op}: length {len} is outside 1…{t} (input {ShapeUtil.Str(x.shape)}).");
            lengths = lengths.All(len => len == t) ? null : (int[])lengths.Clone(); // backward reads them again
        }
        (this.kind, this.x, this.h0, this.c0, this.wIh, this.wHh, this.bIh, this.bHh, this.lengths, this.reverse) =
            (kind, x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse);
        forwardRows = ForwardRows;
        backwardRows = BackwardRows;
    }

    static PackedWeights Packs(Tensor w) => packs.GetValue(w, _ => new PackedWeights());
    static Tensor Contig(Tensor v) => v.IsContiguous ? v : v.NoGraph().Contiguous();
    bool Active(int row) => lengths == null || time < lengths[row];
    int TimeAt(int s) => reverse ? t - 1 - s : s;
    int RowMin => Math.Max(1, ParallelLoop.ElementwiseThreshold / 4 / gh);

    public (Tensor, Tensor, Tensor?) Run()
    {
        var wi = Contig(wIh); var wh = Contig(wHh);
        xtm = Tensor.Uninitialized([t, b, i]);
        Tensor.SwapLeadingAxes(Contig(x), xtm, b, t, i); // (B, T, I) → (T, B, I)
        // Padding is never read: zeroed here, NaN or Inf in it cannot reach ∂W_ih through the whole-sequence product.
        if (lengths != null)
            for (int r = 0; r < b; r++)
                for (int step = lengths[r]; step < t; step++) xtm.data.AsSpan(xtm.offset + (step * b + r) * i, i).Clear();
        gates = Tensor.Uninitialized([t, b, gh]);
        // Pre-activations of all steps: (T·B, G·H) = x (T·B, I) · W_ihᵀ + b_ih (+ b_hh, except the GRU's, which r scales).
        var bias = Tensor.Zeros(gh);
        if (bIh != null) System.Numerics.Tensors.TensorPrimitives.Add(bias.AsReadOnlySpan(), Contig(bIh).AsReadOnlySpan(), bias.data.AsSpan(0, gh));
        if (bHh != null && kind != CellKind.Gru) System.Numerics.Tensors.TensorPrimitives.Add(bias.AsReadOnlySpan(), Contig(bHh).AsReadOnlySpan(), bias.data.AsSpan(0, gh));
        for (int r = 0; r < t * b; r++) bias.data.AsSpan(0, gh).CopyTo(gates.data.AsSpan(gates.offset + r * gh, gh));
        Gemm.Multiply(t * b, gh, i, new Gemm.Operand(xtm.data, xtm.offset, i, 1), Gemm.WeightAsB(wi), gates.data, gates.offset, gh, accumulate: true);

        hin = Tensor.Uninitialized([t, b, h]);
        hN = Tensor.Uninitialized([b, h]);
        y = lengths == null ? Tensor.Uninitialized([b, t, h]) : Tensor.Zeros(b, t, h);
        CopyState(h0, hin, TimeAt(0));
        if (kind == CellKind.Lstm)
        {
            cin = Tensor.Uninitialized([t, b, h]); tanhC = Tensor.Uninitialized([t, b, h]); cN = Tensor.Uninitialized([b, h]);
            CopyState(c0, cin, TimeAt(0));
        }
        Tensor? bh = null;
        if (kind == CellKind.Gru) { hp = Tensor.Uninitialized([t, b, gh]); if (bHh != null) bh = Contig(bHh); }
        var packedT = Packs(wHh).ForGemm(wh);
        var whT = Gemm.WeightAsB(wh);
        for (step = 0; step < t; step++)
        {
            time = TimeAt(step);
            int at = time * b * h;
            var a = new Gemm.Operand(hin.data, hin.offset + at, h, 1);
            if (kind == CellKind.Gru)
            {
                // The GRU keeps W_hh h + b_hh apart: its n gate scales that part by r.
                int hpAt = hp!.offset + time * b * gh;
                for (int r = 0; r < b; r++)
                    if (bh != null) bh.AsReadOnlySpan().CopyTo(hp.data.AsSpan(hpAt + r * gh, gh));
                Gemm.Multiply(b, gh, h, a, whT, hp.data, hpAt, gh, accumulate: bh != null, relu: false, prepackedB: packedT);
            }
            else
                Gemm.Multiply(b, gh, h, a, whT, gates.data, gates.offset + time * b * gh, gh, accumulate: true, relu: false, prepackedB: packedT);
            ParallelLoop.For(b, RowMin, forwardRows, align: 1);
        }

        var inputs = new List<Tensor> { x };
        if (h0 != null) inputs.Add(h0);
        if (c0 != null) inputs.Add(c0);
        inputs.Add(wIh); inputs.Add(wHh);
        if (bIh != null) inputs.Add(bIh);
        if (bHh != null) inputs.Add(bHh);
        string op = RecurrentCells.Name(kind);
        var output = Autograd.Record(y, op, [.. inputs], Backward);
        if (output.GradFn == null) return (output, hN, cN);
        noOutputGradient = Tensor.Zeros(1).Expand(b, t, h);
        var hOut = Autograd.RecordSideOutput(hN, op + ".h_n", output, g => dhN = g, noOutputGradient);
        var cOut = cN == null ? null : Autograd.RecordSideOutput(cN, op + ".c_n", output, g => dcN = g, noOutputGradient);
        return (output, hOut, cOut);
    }

    /// <summary>Writes the initial state (zeros when null) into the slot of the first step.</summary>
    void CopyState(Tensor? s, Tensor dst, int at)
    {
        var d = dst.data.AsSpan(dst.offset + at * b * h, b * h);
        if (s == null) d.Clear();
        else Contig(s).AsReadOnlySpan().CopyTo(d);
    }

    /// <summary>Where the state after this step goes: the next step's input slot, or the final state after the last.</summary>
    (float[] Data, int Offset) NextSlot(Tensor perStep, Tensor final, int row) =>
        step < t - 1 ? (perStep.data, perStep.offset + (TimeAt(step + 1) * b + row) * h) : (final.data, final.offset + row * h);

    void ForwardRows(int r0, int r1)
    {
        for (int r = r0; r < r1; r++)
        {
            var hPrev = hin.data.AsSpan(hin.offset + (time * b + r) * h, h);
            var (hd, ho) = NextSlot(hin, hN, r);
            var hNext = hd.AsSpan(ho, h);
            Span<float> cPrev = default, cNext = default;
            if (cin != null)
            {
                cPrev = cin.data.AsSpan(cin.offset + (time * b + r) * h, h);
                var (cd, co) = NextSlot(cin, cN!, r);
                cNext = cd.AsSpan(co, h);
            }
            if (!Active(r))
            {
                hPrev.CopyTo(hNext);
                cPrev.CopyTo(cNext);
                continue;
            }
            var g = gates.data.AsSpan(gates.offset + (time * b + r) * gh, gh);
            switch (kind)
            {
                case CellKind.Lstm:
                    RecurrentCells.LstmForward(g, cPrev, cNext, tanhC!.data.AsSpan(tanhC.offset + (time * b + r) * h, h), hNext);
                    break;
                case CellKind.Gru:
                    RecurrentCells.GruForward(g, hp!.data.AsSpan(hp.offset + (time * b + r) * gh, gh), hPrev, hNext);
                    break;
                default:
                    RecurrentCells.RnnForward(g, hNext, kind == CellKind.RnnRelu);
                    break;
            }
            hNext.CopyTo(y.data.AsSpan(y.offset + (r * t + time) * h, h));
        }
    }

    Tensor?[] Backward(Tensor gOut)
    {
        // Only the final states were used: the output itself has no gradient to add at each step.
        gy = ReferenceEquals(gOut, noOutputGradient) ? null : Contig(gOut);
        dh = dhN != null ? Contig(dhN).Clone() : Tensor.Zeros(b, h);
        if (kind == CellKind.Lstm) dc = dcN != null ? Contig(dcN).Clone() : Tensor.Zeros(b, h);
        dhPrev = Tensor.Uninitialized([b, h]);
        dG = Tensor.Uninitialized([t, b, gh]);
        dGh = kind == CellKind.Gru ? Tensor.Uninitialized([t, b, gh]) : dG;
        var wh = Contig(wHh);
        var packed = Packs(wHh).ForGemmAsIs(wh);
        var whAsIs = new Gemm.Operand(wh.data, wh.offset, h, 1);
        for (step = t - 1; step >= 0; step--)
        {
            time = TimeAt(step);
            ParallelLoop.For(b, RowMin, backwardRows, align: 1);
            // ∂h_prev (B, H) += ∂gates_h (B, G·H) · W_hh (G·H, H)
            Gemm.Multiply(b, h, gh, new Gemm.Operand(dGh.data, dGh.offset + time * b * gh, gh, 1), whAsIs,
                dhPrev.data, dhPrev.offset, h, accumulate: true, relu: false, prepackedB: packed);
            (dh, dhPrev) = (dhPrev, dh);
        }

        var grads = new List<Tensor?> { x.RequiresGrad ? InputGradient() : null };
        if (h0 != null) grads.Add(dh);
        if (c0 != null) grads.Add(dc);
        grads.Add(wIh.RequiresGrad ? WeightGradient(wIh, dG, xtm, i) : null);
        grads.Add(wHh.RequiresGrad ? WeightGradient(wHh, dGh, hin, h) : null);
        if (bIh != null) grads.Add(bIh.RequiresGrad ? ColumnSums(dG) : null);
        if (bHh != null) grads.Add(bHh.RequiresGrad ? ColumnSums(dGh) : null);
        return [.. grads];
    }

    void BackwardRows(int r0, int r1)
    {
        for (int r = r0; r < r1; r++)
        {
            int row = (time * b + r) * h, growAt = (time * b + r) * gh;
            var dhr = dh!.data.AsSpan(dh.offset + r * h, h);
            var dPrev = dhPrev!.data.AsSpan(dhPrev.offset + r * h, h);
            var dg = dG!.data.AsSpan(dG.offset + growAt, gh);
            if (!Active(r))
            {
                // Padding: the state passes through untouched, so does its gradient.
                dg.Clear();
                if (dGh != dG) dGh!.data.AsSpan(dGh.offset + growAt, gh).Clear();
                dhr.CopyTo(dPrev);
                continue;
            }
            if (gy != null)
                System.Numerics.Tensors.TensorPrimitives.Add(dhr, gy.data.AsSpan(gy.offset + (r * t + time) * h, h), dhr);
            var g = gates.data.AsSpan(gates.offset + growAt, gh);
            switch (kind)
            {
                case CellKind.Lstm:
                    RecurrentCells.LstmBackward(g, cin!.data.AsSpan(cin.offset + row, h), tanhC!.data.AsSpan(tanhC.offset + row, h), dhr,
                        dc!.data.AsSpan(dc.offset + r * h, h), dg);
                    dPrev.Clear();
                    break;
                case CellKind.Gru:
                    RecurrentCells.GruBackward(g, hp!.data.AsSpan(hp.offset + growAt, gh), hin.data.AsSpan(hin.offset + row, h), dhr,
                        dg, dGh!.data.AsSpan(dGh.offset + growAt, gh), dPrev);
                    break;
                default:
                    RecurrentCells.RnnBackward(g, dhr, dg, kind == CellKind.RnnRelu);
                    dPrev.Clear();
                    break;
            }
        }
    }

    /// <summary>∂x (B, T, I): ∂gates (T·B, G·H) · W_ih (G·H, I), then back to batch-first.</summary>
    Tensor InputGradient()
    {
        var wi = Contig(wIh);
        var dxtm = Tensor.Uninitialized([t, b, i]);
        Gemm.Multiply(t * b, i, gh, new Gemm.Operand(dG!.data, dG.offset, gh, 1), new Gemm.Operand(wi.data, wi.offset, i, 1),
            dxtm.data, dxtm.offset, i, accumulate: false);
        var dx = Tensor.Uninitialized([b, t, i]);
        Tensor.SwapLeadingAxes(dxtm, dx, t, b, i);
        return dx;
    }

    /// <summary>∂W (G·H, K) = ∂gatesᵀ (G·H, T·B) · inputs (T·B, K): one product over the whole sequence.</summary>
    Tensor? WeightGradient(Tensor w, Tensor dgates, Tensor inputs, int k)
    {
        void Into(float[] d, int off, bool overwrite) =>
            Gemm.Multiply(gh, k, t * b, new Gemm.Operand(dgates.data, dgates.offset, 1, gh), new Gemm.Operand(inputs.data, inputs.offset, k, 1),
                d, off, k, accumulate: !overwrite);
        if (Tensor.AccumulateInPlace(w, dgates, Into)) return null;
        var gw = Tensor.Uninitialized([gh, k]);
        Into(gw.data, gw.offset, overwrite: true);
        return gw;
    }

    /// <summary>Sum over all (step, sequence) rows of (T, B, G·H): a bias's gradient.</summary>
    Tensor ColumnSums(Tensor dgates)
    {
        var s = Tensor.Zeros(gh);
        var acc = s.data.AsSpan(s.offset, gh);
        for (int r = 0; r < t * b; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(acc, dgates.data.AsSpan(dgates.offset + r * gh, gh), acc);
        return s;
    }
}
