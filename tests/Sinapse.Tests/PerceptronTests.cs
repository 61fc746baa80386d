using Sinapse.Layers;

namespace Sinapse.Tests;

public class PerceptronTests
{
    static readonly Tensor X = Tensor.FromArray(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });

    [Fact]
    public void LearnsAnd()
    {
        var p = new Perceptron(2);
        var y = Tensor.FromArray([0f, 0, 0, 1]);
        Assert.True(p.Fit(X, y, 100) > 0);
        Assert.Equal(1f, p.Accuracy(X, y));
    }

    [Fact]
    public void LearnsOr()
    {
        var p = new Perceptron(2);
        var y = Tensor.FromArray([0f, 1, 1, 1]);
        Assert.True(p.Fit(X, y, 100) > 0);
        Assert.Equal(y.ToArray(), p.Predict(X).ToArray());
    }

    [Fact]
    public void CannotLearnXor()
    {
        var p = new Perceptron(2);
        var y = Tensor.FromArray([0f, 1, 1, 0]);
        Assert.Equal(-1, p.Fit(X, y, 1000));       // never converges
        Assert.True(p.Accuracy(X, y) < 1f);         // no line separates XOR: at most 3 of 4 right
    }

    [Fact]
    public void TwoLayerMlp_LearnsXorByBackpropagation()
    {
        var (_, acc, _) = Sinapse.Cli.XorCommand.TrainMlp(X, Tensor.FromArray([0f, 1, 1, 0]));
        Assert.Equal(1f, acc);
    }
}
