namespace Sinapse;

internal static class GradUtil
{
    /// <summary>
    /// Zeroes gradients (contiguous ones keep their buffer, zeroed lazily: see <see cref="Tensor.ZeroGradLazily"/>) or
    /// sets them to null.
    /// </summary>
    public static void Zero(IEnumerable<Tensor> parameters, bool setToNone)
    {
        foreach (var p in parameters)
        {
            if (setToNone) p.Grad = null;
            else p.ZeroGradLazily();
        }
    }
}
