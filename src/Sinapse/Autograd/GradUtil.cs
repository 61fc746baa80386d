namespace Sinapse;

internal static class GradUtil
{
    /// <summary>Zeroes gradients in place (contiguous ones keep their buffer) or sets them to null.</summary>
    public static void Zero(IEnumerable<Tensor> parameters, bool setToNone)
    {
        foreach (var p in parameters)
        {
            if (p.Grad == null) continue;
            if (setToNone || !p.Grad.IsContiguous) p.Grad = null;
            else p.Grad.Span.Clear();
        }
    }
}
