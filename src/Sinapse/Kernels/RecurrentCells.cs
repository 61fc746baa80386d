using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sinapse.Kernels;

/// <summary>The cell a recurrent layer repeats over time.</summary>
public enum CellKind
{
    /// <summary>Elman: h' = tanh(W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnTanh,
    /// <summary>Elman with ReLU: h' = max(0, W_ih x + b_ih + W_hh h + b_hh).</summary>
    RnnRelu,
    /// <summary>Long short-term memory, gates in PyTorch's order i, f, g, o.</summary>
    Lstm,
    /// <summary>Gated recurrent unit, gates in PyTorch's order r, z, n.</summary>
    Gru,
}

/// <summary>
/// The point-wise part of one time step for one batch row, forward and backward side by side. The matrix products
/// (the input projection of all steps, the recurrent product of each step) run outside, as GEMMs; these kernels take
/// the projected pre-activations and turn them into the new state, or the state's gradient into the gates'.
/// </summary>
/// <remarks>
/// Gate rows hold the pre-activations on entry to the forward kernels and the activations on exit (what backward
/// reads). Backward writes ∂pre-activation for every gate. Lengths are H (state) and G·H (gates).
/// </remarks>
internal static class RecurrentCells
{
    /// <summary>Gates per hidden unit: 4 for the LSTM, 3 for the GRU, 1 for the Elman RNN.</summary>
    public static int GateCount(CellKind kind) => kind switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };

    /// <summary>PyTorch's name of the cell (errors, repr).</summary>
    public static string Name(CellKind kind) => kind switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "RNN" };

    // ---- Elman RNN ---------------------------------------------------------------------------------------------

    /// <summary>g (H): pre-activation → h' (kept in g for backward, copied to hNext).</summary>
    public static void RnnForward(Span<float> g, Span<float> hNext, bool relu)
    {
        if (relu) TensorPrimitives.Max(g, 0f, g);
        else Elementwise.Unary<TanhOp>(g, g);
        g.CopyTo(hNext);
    }

    /// <summary>dg = dh·(1 − h'²) for tanh, dh·[h' &gt; 0] for ReLU.</summary>
    public static void RnnBackward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dg, bool relu)
    {
        int n = h.Length, j = 0;
        if (SimdWidth.UseVectors)
            for (; j <= n - 8; j += 8)
            {
                var hv = Load(h, j); var dv = Load(dh, j);
                var r = relu ? Vector256.ConditionalSelect(Vector256.GreaterThan(hv, Vector256<float>.Zero), dv, Vector256<float>.Zero)
                             : dv * (Vector256<float>.One - hv * hv);
                Store(r, dg, j);
            }
        for (; j < n; j++) dg[j] = relu ? (h[j] > 0 ? dh[j] : 0f) : dh[j] * (1f - h[j] * h[j]);
    }

    // ---- LSTM ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// g (4H): pre-activations of i, f, g, o → σ(i), σ(f), tanh(g), σ(o). c' = f·c + i·g, tc = tanh(c'), h' = o·tc.
    /// </summary>
    public static void LstmForward(Span<float> g, ReadOnlySpan<float> c, Span<float> cNext, Span<float> tc, Span<float> hNext)
    {
        int h = c.Length;
        Elementwise.Unary<SigmoidOp>(g[..(2 * h)], g[..(2 * h)]);
        Elementwise.Unary<TanhOp>(g.Slice(2 * h, h), g.Slice(2 * h, h));
        Elementwise.Unary<SigmoidOp>(g[(3 * h)..], g[(3 * h)..]);
        ReadOnlySpan<float> i = g[..h], f = g.Slice(h, h), gg = g.Slice(2 * h, h), o = g[(3 * h)..];
        TensorPrimitives.Multiply(f, c, cNext);
        TensorPrimitives.FusedMultiplyAdd(i, gg, cNext, cNext);
        Elementwise.Unary<TanhOp>(cNext, tc);
        TensorPrimitives.Multiply(o, tc, hNext);
    }

    /// <summary>
    /// From dh (∂loss/∂h', everything reaching this step's output) and dc (∂loss/∂c' from later steps, updated in place
    /// to ∂loss/∂c): dg (4H) = ∂ of the pre-activations of i, f, g, o. do = dh·tc; dc += dh·o·(1 − tc²);
    /// di = dc·g; df = dc·c; dg = dc·i; then through σ' = s(1 − s) and tanh' = 1 − t².
    /// </summary>
    public static void LstmBackward(ReadOnlySpan<float> g, ReadOnlySpan<float> c, ReadOnlySpan<float> tc, ReadOnlySpan<float> dh, Span<float> dc, Span<float> dg)
    {
        int h = c.Length, j = 0;
        ReadOnlySpan<float> i = g[..h], f = g.Slice(h, h), gg = g.Slice(2 * h, h), o = g[(3 * h)..];
        Span<float> di = dg[..h], df = dg.Slice(h, h), dgg = dg.Slice(2 * h, h), dO = dg[(3 * h)..];
        if (SimdWidth.UseVectors)
        {
            var one = Vector256<float>.One;
            for (; j <= h - 8; j += 8)
            {
                var iv = Load(i, j); var fv = Load(f, j); var gv = Load(gg, j); var ov = Load(o, j);
                var tv = Load(tc, j); var dhv = Load(dh, j);
                var dcv = Load(dc, j) + dhv * ov * (one - tv * tv);
                Store(dcv * gv * iv * (one - iv), di, j);
                Store(dcv * Load(c, j) * fv * (one - fv), df, j);
                Store(dcv * iv * (one - gv * gv), dgg, j);
                Store(dhv * tv * ov * (one - ov), dO, j);
                Store(dcv * fv, dc, j);
            }
        }
        for (; j < h; j++)
        {
            float dcj = dc[j] + dh[j] * o[j] * (1f - tc[j] * tc[j]);
            di[j] = dcj * gg[j] * i[j] * (1f - i[j]);
            df[j] = dcj * c[j] * f[j] * (1f - f[j]);
            dgg[j] = dcj * i[j] * (1f - gg[j] * gg[j]);
            dO[j] = dh[j] * tc[j] * o[j] * (1f - o[j]);
            dc[j] = dcj * f[j];
        }
    }

    // ---- GRU -----------------------------------------------------------------------------------------------------

    /// <summary>
    /// gx (3H): W_ih x + b_ih for r, z, n → σ(r), σ(z), n; hp (3H): W_hh h + b_hh (kept for backward).
    /// r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n), h' = (1 − z)·n + z·h = n + z·(h − n).
    /// </summary>
    public static void GruForward(Span<float> gx, ReadOnlySpan<float> hp, ReadOnlySpan<float> h, Span<float> hNext)
    {
        int n = h.Length;
        var rz = gx[..(2 * n)];
        TensorPrimitives.Add(rz, hp[..(2 * n)], rz);
        Elementwise.Unary<SigmoidOp>(rz, rz);
        Span<float> r = gx[..n], z = gx.Slice(n, n), nn = gx[(2 * n)..];
        TensorPrimitives.FusedMultiplyAdd(r, hp[(2 * n)..], nn, nn);
        Elementwise.Unary<TanhOp>(nn, nn);
        TensorPrimitives.Subtract(h, nn, hNext);
        TensorPrimitives.FusedMultiplyAdd(z, hNext, nn, hNext);
    }

    /// <summary>
    /// From dh (∂loss/∂h'): dgx (3H) = ∂(x_r, x_z, x_n), dgh (3H) = ∂(h_r, h_z, h_n) (the W_hh h + b_hh side), and
    /// dhPrev = dh·z, the direct path to the previous state (the product with W_hh is added outside).
    /// dn = dh·(1 − z)·(1 − n²); dz = dh·(h − n)·z(1 − z); dr = dn·h_n·r(1 − r); ∂h_n = dn·r.
    /// </summary>
    public static void GruBackward(ReadOnlySpan<float> gx, ReadOnlySpan<float> hp, ReadOnlySpan<float> h, ReadOnlySpan<float> dh,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev)
    {
        int n = h.Length, j = 0;
        ReadOnlySpan<float> r = gx[..n], z = gx.Slice(n, n), nn = gx[(2 * n)..], hn = hp[(2 * n)..];
        if (SimdWidth.UseVectors)
        {
            var one = Vector256<float>.One;
            for (; j <= n - 8; j += 8)
            {
                var rv = Load(r, j); var zv = Load(z, j); var nv = Load(nn, j); var dhv = Load(dh, j);
                var dn = dhv * (one - zv) * (one - nv * nv);
                var dz = dhv * (Load(h, j) - nv) * zv * (one - zv);
                var dr = dn * Load(hn, j) * rv * (one - rv);
                Store(dr, dgx, j); Store(dz, dgx, n + j); Store(dn, dgx, 2 * n + j);
                Store(dr, dgh, j); Store(dz, dgh, n + j); Store(dn * rv, dgh, 2 * n + j);
                Store(dhv * zv, dhPrev, j);
            }
        }
        for (; j < n; j++)
        {
            float dn = dh[j] * (1f - z[j]) * (1f - nn[j] * nn[j]);
            float dz = dh[j] * (h[j] - nn[j]) * z[j] * (1f - z[j]);
            float dr = dn * hn[j] * r[j] * (1f - r[j]);
            dgx[j] = dr; dgx[n + j] = dz; dgx[2 * n + j] = dn;
            dgh[j] = dr; dgh[n + j] = dz; dgh[2 * n + j] = dn * r[j];
            dhPrev[j] = dh[j] * z[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Load(ReadOnlySpan<float> s, int at) => Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)at);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(Vector256<float> v, Span<float> s, int at) => v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)at);
}
