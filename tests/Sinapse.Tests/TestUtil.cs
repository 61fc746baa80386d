namespace Sinapse.Tests;

internal static class TestUtil
{
    public static void Close(float[] expected, float[] actual, float tol = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tol * (1 + MathF.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    public static void Close(Tensor expected, Tensor actual, float tol = 1e-5f)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Close(expected.ToArray(), actual.ToArray(), tol);
    }

    /// <summary>A tensor requiring grad, with values uniform in [lo, hi) away from kinks.</summary>
    public static Tensor Param(int[] shape, ulong seed = 7, float lo = -1f, float hi = 1f) =>
        Tensor.Uniform(shape, lo, hi, new Generator(seed)).RequireGrad();

    public static void Passes(GradCheck.Result r) => Assert.True(r.Passed, $"gradcheck failed: max error {r.MaxError:G4} at {r.Worst}");
}
