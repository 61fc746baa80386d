namespace Sinapse.Layers;

/// <summary>Functional forms of the layers and activations (like torch.nn.functional).</summary>
public static class F
{
    public static Tensor Step(Tensor x) => x.Step();
    public static Tensor Sigmoid(Tensor x) => x.Sigmoid();
    public static Tensor Tanh(Tensor x) => x.Tanh();
    public static Tensor Relu(Tensor x) => x.Relu();
    public static Tensor LeakyRelu(Tensor x, float slope = 0.01f) => x.LeakyRelu(slope);
    public static Tensor Elu(Tensor x, float alpha = 1f) => x.Elu(alpha);
    public static Tensor Gelu(Tensor x) => x.Gelu();
    public static Tensor Softmax(Tensor x, int dim = -1) => x.Softmax(dim);
    public static Tensor LogSoftmax(Tensor x, int dim = -1) => x.LogSoftmax(dim);
    /// <summary>y = x·Wᵀ + b. Shape: (…, in), (out, in), (out) → (…, out).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) => Tensor.Linear(x, weight, bias);
    /// <summary>Inverted dropout with probability p when training is true.</summary>
    public static Tensor Dropout(Tensor x, float p, bool training, Generator? gen = null)
    {
        var d = new Dropout(p, gen);
        if (!training) d.Eval();
        return d.Forward(x);
    }
}
