namespace Sinapse.Tests;

public class AutogradTests
{
    [Fact]
    public void ChainRule_OnAScalarExpression()
    {
        // y = (a·b + a)², dy/da = 2(ab + a)(b + 1), dy/db = 2(ab + a)a
        var a = Tensor.FromArray([2f]).RequireGrad();
        var b = Tensor.FromArray([3f]).RequireGrad();
        var y = (a * b + a).Pow(2f).Sum();
        y.Backward();
        Assert.Equal(2 * 8 * 4f, a.Grad!.Item(), 3);
        Assert.Equal(2 * 8 * 2f, b.Grad!.Item(), 3);
    }

    [Fact]
    public void Gradients_Accumulate_UntilZeroGrad()
    {
        var w = Tensor.FromArray([1f, 2]).RequireGrad();
        (w * 3f).Sum().Backward();
        (w * 3f).Sum().Backward();
        Assert.Equal([6f, 6f], w.Grad!.ToArray());
        var buffer = w.Grad;
        w.ZeroGrad();                                   // zeroed, as Optimizer.ZeroGrad and Module.ZeroGrad do
        Assert.Same(buffer, w.Grad);
        Assert.Equal([0f, 0f], w.Grad!.ToArray());
        (w * 2f).Sum().Backward();
        Assert.Equal([2f, 2f], w.Grad!.ToArray());
        w.ZeroGrad(setToNone: true);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void ReusedTensor_GetsSummedGradient()
    {
        var x = Tensor.FromArray([3f]).RequireGrad();
        (x * x + x).Sum().Backward(); // 2x + 1
        Assert.Equal(7f, x.Grad!.Item());
    }

    [Fact]
    public void GradientsFlowThroughViewsAndBroadcasting()
    {
        var x = Tensor.Arange(6).Reshape(2, 3).Detach().Contiguous().RequireGrad();
        var bias = Tensor.Zeros(3).RequireGrad();
        var y = (x.T.Slice(0, 1, 3) + bias.Reshape(3, 1).Slice(0, 1, 3)).Sum();
        y.Backward();
        Assert.Equal([0f, 1, 1, 0, 1, 1], x.Grad!.ToArray());
        Assert.Equal([0f, 2, 2], bias.Grad!.ToArray());
    }

    [Fact]
    public void Backward_WithExplicitGradient()
    {
        var x = Tensor.FromArray([1f, 2, 3]).RequireGrad();
        var y = x * 2f;
        y.Backward(Tensor.FromArray([1f, 0, -1]));
        Assert.Equal([2f, 0, -2], x.Grad!.ToArray());
        Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward()); // not a scalar
        Assert.Throws<ArgumentException>(() => (x * 2f).Backward(Tensor.Ones(2)));
    }

    [Fact]
    public void NoGradAndDetach_StopRecording()
    {
        var x = Tensor.Ones(2).RequireGrad();
        using (Autograd.NoGrad())
        {
            var y = x * 2f;
            Assert.False(y.RequiresGrad);
            Assert.False(Autograd.IsEnabled);
        }
        Assert.True(Autograd.IsEnabled);
        Assert.False(x.Detach().RequiresGrad);
        var z = x * 2f;
        Assert.True(z.RequiresGrad);
        Assert.False(z.IsLeaf);
        Assert.Equal("Mul", z.GradFnName);
        Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).Sum().Backward());
    }

    [Fact]
    public void DeepGraph_DoesNotOverflowTheStack()
    {
        var x = Tensor.FromArray([1f]).RequireGrad();
        var y = x;
        for (int i = 0; i < 20000; i++) y = y * 1f;
        y.Sum().Backward();
        Assert.Equal(1f, x.Grad!.Item());
    }
}
