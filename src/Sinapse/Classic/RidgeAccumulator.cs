using System.Numerics.Tensors;

namespace Sinapse.Classic;

/// <summary>
/// Ridge regression over data too large to hold at once: rows are added in chunks, and only XᵀX (F, F) and XᵀY (F, M)
/// are kept, in double precision (each chunk's products are GEMMs). <see cref="Solve"/> then factors XᵀX + λI.
/// </summary>
public sealed class RidgeAccumulator
{
    readonly double[] xtx, xty;
    public int Features { get; }
    public int Outputs { get; }
    public long Rows { get; private set; }

    public RidgeAccumulator(int features, int outputs)
    {
        if (features <= 0 || outputs <= 0) throw new ArgumentException($"RidgeAccumulator: {features} features and {outputs} outputs must be positive.");
        (Features, Outputs) = (features, outputs);
        xtx = new double[features * features];
        xty = new double[features * outputs];
    }

    /// <summary>Adds rows x (N, F) with targets y (N, M).</summary>
    public void Add(Tensor x, Tensor y)
    {
        if (x.Rank != 2 || y.Rank != 2 || x.Shape[0] != y.Shape[0] || x.Shape[1] != Features || y.Shape[1] != Outputs)
            throw new ArgumentException($"Ridge: expected x (N, {Features}) and y (N, {Outputs}) with the same N, got {ShapeUtil.Str(x.Shape)} and {ShapeUtil.Str(y.Shape)}.");
        using var _ = Autograd.NoGrad();
        var xt = x.NoGraph().T;
        Accumulate(xt.MatMul(x.NoGraph()).Contiguous().AsReadOnlySpan(), xtx);
        Accumulate(xt.MatMul(y.NoGraph()).Contiguous().AsReadOnlySpan(), xty);
        Rows += x.Shape[0];
    }

    static void Accumulate(ReadOnlySpan<float> chunk, double[] total)
    {
        for (int i = 0; i < chunk.Length; i++) total[i] += chunk[i];
    }

    /// <summary>W (F, M) = (XᵀX + λI)⁻¹ XᵀY; a singular system (λ = 0 with dependent columns) is an error saying so.</summary>
    public Tensor Solve(float lambda)
    {
        if (!(lambda >= 0)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "Ridge: λ must be non-negative.");
        if (Rows == 0) throw new InvalidOperationException("Ridge: no rows were added.");
        int f = Features;
        var a = (double[])xtx.Clone();
        for (int i = 0; i < f; i++) a[i * f + i] += lambda;
        var b = (double[])xty.Clone();
        LinearSolve.CholeskySolve(LinearSolve.Cholesky(a, f), f, b, Outputs);
        var w = new float[b.Length];
        for (int i = 0; i < w.Length; i++) w[i] = (float)b[i];
        return Tensor.FromArray(w, f, Outputs);
    }
}
