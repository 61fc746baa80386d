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
    public static Tensor Softplus(Tensor x, float beta = 1f, float threshold = 20f) => x.Softplus(beta, threshold);
    public static Tensor Silu(Tensor x) => x.Silu();
    public static Tensor Mish(Tensor x) => x.Mish();
    public static Tensor Softsign(Tensor x) => x.Softsign();
    public static Tensor Hardtanh(Tensor x, float min = -1f, float max = 1f) => x.Hardtanh(min, max);
    public static Tensor Relu6(Tensor x) => x.Relu6();
    /// <summary>PReLU with slopes <paramref name="weight"/> of shape (1) or (C).</summary>
    public static Tensor Prelu(Tensor x, Tensor weight) => x.Prelu(weight);
    public static Tensor Softmax(Tensor x, int dim = -1) => x.Softmax(dim);
    public static Tensor LogSoftmax(Tensor x, int dim = -1) => x.LogSoftmax(dim);
    /// <summary>y = x·Wᵀ + b. Shape: (…, in), (out, in), (out) → (…, out).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) => Tensor.Linear(x, weight, bias);
    /// <summary>Rows of weight picked by whole-number indices. Shape: (…), (num, dim) → (…, dim).</summary>
    public static Tensor Embedding(Tensor indices, Tensor weight, int? paddingIdx = null) => Tensor.Embedding(indices, weight, paddingIdx);
    /// <summary>Inverted dropout with probability p when training is true.</summary>
    public static Tensor Dropout(Tensor x, float p, bool training, Generator? gen = null)
    {
        var d = new Dropout(p, gen);
        if (!training) d.Eval();
        return d.Forward(x);
    }

    /// <summary>Channel dropout (whole feature maps) with probability p when training is true.</summary>
    public static Tensor Dropout2d(Tensor x, float p, bool training, Generator? gen = null)
    {
        var d = new Dropout2d(p, gen);
        if (!training) d.Eval();
        return d.Forward(x);
    }

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Tensor.Conv2d(x, weight, bias, stride, padding, dilation, groups);
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Tensor.Conv1d(x, weight, bias, stride, padding, dilation, groups);
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1) =>
        Tensor.ConvTranspose2d(x, weight, bias, stride, padding, outputPadding, groups, dilation);
    public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0) => x.MaxPool2d(kernel, stride, padding);
    public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, bool countIncludePad = true) => x.AvgPool2d(kernel, stride, padding, countIncludePad);
    public static Tensor AdaptiveAvgPool2d(Tensor x, int outHeight, int outWidth) => x.AdaptiveAvgPool2d(outHeight, outWidth);
    public static Tensor Interpolate(Tensor x, int scaleFactor) => x.UpsampleNearest(scaleFactor, scaleFactor);
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f) => Tensor.BatchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
}
