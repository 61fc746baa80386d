using Sinapse.Kernels;

namespace Sinapse;

public sealed partial class Tensor
{
    /// <summary>Applies a binary op with NumPy broadcasting into a new contiguous tensor (no graph recording).</summary>
    internal static Tensor ApplyBinary<T>(Tensor a, Tensor b, string op) where T : IBinaryOp
    {
        var shape = ShapeUtil.Broadcast(a.shape, b.shape, op);
        var o = Uninitialized(shape);
        int n = o.Numel;
        if (n == 0) return o;
        float[] od = o.data, ad = a.data, bd = b.data;
        int ao = a.offset, bo = b.offset;
        bool aFull = a.Numel == n && a.IsContiguous, bFull = b.Numel == n && b.IsContiguous;
        if (aFull && bFull)
        {
            ParallelLoop.For(n, ParallelLoop.ElementwiseThreshold, (s, e) => Elementwise.Binary<T>(ad.AsSpan(ao + s, e - s), bd.AsSpan(bo + s, e - s), od.AsSpan(s, e - s)));
            return o;
        }
        if (aFull && b.Numel == 1)
        {
            float y = bd[bo];
            ParallelLoop.For(n, ParallelLoop.ElementwiseThreshold, (s, e) => Elementwise.Binary<T>(ad.AsSpan(ao + s, e - s), y, od.AsSpan(s, e - s)));
            return o;
        }
        if (bFull && a.Numel == 1)
        {
            float x = ad[ao];
            ParallelLoop.For(n, ParallelLoop.ElementwiseThreshold, (s, e) => Elementwise.Binary<T>(x, bd.AsSpan(bo + s, e - s), od.AsSpan(s, e - s)));
            return o;
        }
        // General case: coalesce the broadcast iteration space and run the SIMD driver on each innermost row.
        var (cs, st) = Strided.Coalesce(shape, ShapeUtil.BroadcastStrides(a, shape), ShapeUtil.BroadcastStrides(b, shape), ShapeUtil.ContiguousStrides(shape));
        int len = cs[^1], sa = st[0][^1], sb = st[1][^1];
        Strided.ForEachRow(cs, st, [ao, bo, 0], (_, off) =>
        {
            var dst = od.AsSpan(off[2], len);
            if (sa == 1 && sb == 1) Elementwise.Binary<T>(ad.AsSpan(off[0], len), bd.AsSpan(off[1], len), dst);
            else if (sa == 1 && sb == 0) Elementwise.Binary<T>(ad.AsSpan(off[0], len), bd[off[1]], dst);
            else if (sa == 0 && sb == 1) Elementwise.Binary<T>(ad[off[0]], bd.AsSpan(off[1], len), dst);
            else for (int i = 0; i < len; i++) dst[i] = T.Invoke(ad[off[0] + i * sa], bd[off[1] + i * sb]);
        });
        return o;
    }

    /// <summary>Applies a unary op into a new contiguous tensor (no graph recording).</summary>
    internal static Tensor ApplyUnary<T>(Tensor x) where T : IUnaryOp
    {
        var c = x.IsContiguous ? x : x.NoGraph().Contiguous();
        var o = Uninitialized((int[])x.shape.Clone());
        float[] cd = c.data, od = o.data;
        int co = c.offset;
        ParallelLoop.For(o.Numel, ParallelLoop.ElementwiseThreshold, (s, e) => Elementwise.Unary<T>(cd.AsSpan(co + s, e - s), od.AsSpan(s, e - s)));
        return o;
    }

    /// <summary>dst += src in place (same shape, dst contiguous); used for gradient accumulation.</summary>
    internal static void AddInto(Tensor dst, Tensor src)
    {
        ShapeUtil.CheckSame("AddInto", dst.shape, src.shape);
        var s = src.IsContiguous ? src : src.NoGraph().Contiguous();
        float[] dd = dst.data, sd = s.data;
        int dOff = dst.offset, sOff = s.offset;
        ParallelLoop.For(dst.Numel, ParallelLoop.ElementwiseThreshold, (a, e) =>
            Elementwise.Binary<AddOp>(dd.AsSpan(dOff + a, e - a), sd.AsSpan(sOff + a, e - a), dd.AsSpan(dOff + a, e - a)));
    }
}
