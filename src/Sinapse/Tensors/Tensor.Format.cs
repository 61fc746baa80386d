using System.Globalization;
using System.Text;

namespace Sinapse;

public sealed partial class Tensor
{
    /// <summary>
    /// PyTorch-style text: <c>tensor([[1.0000, 2.0000], [3.0000, 4.0000]], requires_grad=True)</c>, with long
    /// dimensions summarised as "…" (first and last three entries) above 1,000 elements.
    /// </summary>
    public override string ToString()
    {
        var vals = ToArray();
        bool summarize = Numel > 1000;
        bool allInt = vals.All(v => float.IsFinite(v) && v == MathF.Round(v) && MathF.Abs(v) < 1e7f);
        string Fmt(float v) => float.IsNaN(v) ? "nan" : float.IsPositiveInfinity(v) ? "inf" : float.IsNegativeInfinity(v) ? "-inf"
            : allInt ? v.ToString("0", CultureInfo.InvariantCulture) + "."
            : MathF.Abs(v) >= 1e5f || (v != 0 && MathF.Abs(v) < 1e-4f) ? v.ToString("0.0000e+00", CultureInfo.InvariantCulture)
            : v.ToString("0.0000", CultureInfo.InvariantCulture);
        int width = 0;
        foreach (var v in vals) width = Math.Max(width, Fmt(v).Length);
        var sb = new StringBuilder("tensor(");
        if (Rank == 0) sb.Append(Fmt(vals[0]));
        else Append(sb, vals, 0, 0, "tensor(".Length);
        var extra = new List<string>();
        if (Numel == 0) extra.Add($"size={ShapeUtil.Str(shape)}");
        if (GradFn != null) extra.Add($"grad_fn=<{GradFn.Op}Backward>");
        else if (RequiresGrad) extra.Add("requires_grad=True");
        foreach (var e in extra) sb.Append(", ").Append(e);
        return sb.Append(')').ToString();

        void Append(StringBuilder s, float[] v, int dim, int start, int indent)
        {
            int n = shape[dim];
            int stride = 1;
            for (int i = dim + 1; i < Rank; i++) stride *= shape[i];
            s.Append('[');
            for (int i = 0; i < n; i++)
            {
                if (summarize && n > 6 && i == 3) { s.Append(dim == Rank - 1 ? "..., " : "...,\n" + new string(' ', indent + 1)); i = n - 3; }
                if (dim == Rank - 1) s.Append(Fmt(v[start + i]).PadLeft(width));
                else Append(s, v, dim + 1, start + i * stride, indent + 1);
                if (i < n - 1) s.Append(dim == Rank - 1 ? ", " : "," + new string('\n', Rank - 1 - dim) + new string(' ', indent + 1));
            }
            s.Append(']');
        }
    }
}
