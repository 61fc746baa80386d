using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Sinapse.IO;
using Sinapse.IO.Onnx;
using Sinapse.Layers;

namespace Sinapse.Tests;

/// <summary>ONNX export checked by ONNX Runtime, and import back.</summary>
public class OnnxTests
{
    static float[] RunOrt(byte[] model, Tensor input)
    {
        using var runtime = new InferenceSession(model);
        var dense = new DenseTensor<float>(input.ToArray(), input.Shape);
        using var results = runtime.Run([NamedOnnxValue.CreateFromTensor("input", dense)]);
        return results.First().AsEnumerable<float>().ToArray();
    }

    static float[] RunSinapse(Sequential model, Tensor input)
    {
        model.Eval();
        RecurrentLayer.ResetStates(model);
        using var _ = Autograd.NoGrad();
        return model.Call(input).ToArray();
    }

    static void SameOutputs(Sequential model, int[] sample, Tensor input, float tol = 1e-5f)
    {
        var bytes = OnnxExport.ToBytes(model, sample);
        var expected = RunSinapse(model, input);
        var got = RunOrt(bytes, input);
        Assert.Equal(expected.Length, got.Length);
        float worst = 0;
        for (int i = 0; i < got.Length; i++) worst = Math.Max(worst, Math.Abs(got[i] - expected[i]));
        Assert.True(worst <= tol, $"ONNX Runtime differs from Sinapse by {worst:G3}");
        // Imported back, the model is the original: the same layers, weights and outputs.
        var (back, shape) = OnnxImport.Read(bytes);
        Assert.Equal(sample.Select(d => d > 0 ? d : -1), shape);
        Assert.Equal(model.Layers.Select(l => l.GetType()), back.Layers.Select(l => l.GetType()));
        Assert.Equal(model.StateDict().Select(p => (p.Name, p.Value.ToArray())), back.StateDict().Select(p => (p.Name, p.Value.ToArray())));
        Assert.Equal(expected, RunSinapse(back, input));
        Assert.Equal(ModelSpec.Of(model, sample).ToJson(), ModelSpec.Of(back, sample).ToJson());
    }

    /// <summary>Gives every batch norm non-trivial running statistics, as after training.</summary>
    static void Perturb(Sequential model, ulong seed)
    {
        var g = new Generator(seed);
        using var _ = Autograd.NoGrad();
        foreach (var (name, b) in model.NamedBuffers())
        {
            if (name.EndsWith("running_mean")) b.CopyFrom(Tensor.Normal(b.Shape, 0f, 0.3f, g));
            if (name.EndsWith("running_var")) b.CopyFrom(Tensor.Uniform(b.Shape, 0.5f, 2f, g));
        }
    }

    [Fact]
    public void Mlp_RunsInOnnxRuntime()
    {
        var model = ModelSpec.Mlp([1, 28, 28], [64, 32], 10, dropout: 0.2f).Build(new Generator(1));
        SameOutputs(model, [1, 28, 28], Tensor.Randn([5, 1, 28, 28], new Generator(2)));
    }

    [Fact]
    public void LeNet5_AndTheSmallCnn_RunInOnnxRuntime()
    {
        SameOutputs(ModelSpec.LeNet5([1, 28, 28], 10).Build(new Generator(3)), [1, 28, 28], Tensor.Randn([4, 1, 28, 28], new Generator(4)));
        var cnn = ModelSpec.SmallCnn([1, 28, 28], 10).Build(new Generator(5));
        Perturb(cnn, 6);
        SameOutputs(cnn, [1, 28, 28], Tensor.Randn([3, 1, 28, 28], new Generator(7)));
    }

    [Fact]
    public void EveryOtherLayer_RunsInOnnxRuntime()
    {
        var g = new Generator(8);
        var model = new Sequential(
            new Conv2d(3, 8, 3, stride: 2, padding: 1, gen: g), new BatchNorm2d(8), new LeakyReLU(0.1f), new Dropout2d(0.3f, g),
            new ConvTranspose2d(8, 4, 4, 2, 1, gen: g), new ELU(0.7f), new Conv2d(4, 6, 3, padding: Conv2d.Same, dilation: 1, groups: 2, gen: g),
            new SiLU(), new AvgPool2d(2, countIncludePad: false), new MaxPool2d(3, 2, 1), new AdaptiveAvgPool2d(1), new Flatten(),
            new Linear(6, 12, gen: g), new BatchNorm1d(12), new Softplus(), new Linear(12, 2 * 3 * 3, gen: g), new Unflatten(1, 2, 3, 3),
            new Flatten(), new Sigmoid(), new Linear(18, 5, gen: g), new LogSoftmax(1));
        Perturb(model, 9);
        SameOutputs(model, [3, 16, 16], Tensor.Randn([2, 3, 16, 16], new Generator(10)));
    }

    [Theory]
    [InlineData("LSTM", 1, false)]
    [InlineData("LSTM", 2, true)]
    [InlineData("GRU", 2, false)]
    [InlineData("GRU", 1, true)]
    [InlineData("RNN", 2, true)]
    public void RecurrentModels_RunInOnnxRuntime(string type, int layers, bool bidirectional)
    {
        var g = new Generator(11);
        RecurrentLayer rnn = type switch
        {
            "LSTM" => new LSTM(6, 8, layers, bidirectional: bidirectional, gen: g),
            "GRU" => new GRU(6, 8, layers, bidirectional: bidirectional, gen: g),
            _ => new RNN(6, 8, layers, bidirectional: bidirectional, gen: g),
        };
        int d = bidirectional ? 2 : 1;
        var model = new Sequential(new Embedding(20, 6, gen: g), rnn, new LastStep(), new Linear(8 * d, 3, gen: g));
        var tokens = Tensor.FromArray(Enumerable.Range(0, 2 * 7).Select(i => (float)(i * 7 % 20)).ToArray(), 2, 7);
        SameOutputs(model, [-1], tokens);
    }

    [Fact]
    public void TheCharacterLstm_RunsInOnnxRuntime()
    {
        var model = Sinapse.Cli.CharModelTraining.Model(60, new Generator(12));
        var tokens = Tensor.FromArray(Enumerable.Range(0, 3 * 16).Select(i => (float)(i * 13 % 60)).ToArray(), 3, 16);
        SameOutputs(model, [-1], tokens);
    }

    [Fact]
    public void UnsupportedLayers_AreRefusedByName()
    {
        var model = new Sequential(new Linear(2, 2), new GELU());
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model, [2]));
        Assert.Contains("layer 1 (GELU", e.Message);
    }
}

public class OnnxImportErrorTests
{
    [Fact]
    public void BrokenOrForeignFiles_AreRefusedWithTheReason()
    {
        var good = OnnxExport.ToBytes(new Sequential(new Linear(3, 2), new ReLU()), [3]);
        Assert.Contains("model.onnx", Assert.Throws<InvalidDataException>(() => OnnxImport.Read(good[..(good.Length / 2)], "model.onnx")).Message);
        Assert.Contains("not a valid ONNX", Assert.Throws<InvalidDataException>(() => OnnxImport.Read([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], "x.onnx")).Message);
        Assert.Contains("no graph", Assert.Throws<InvalidDataException>(() => OnnxImport.Read([0x08, 0x01], "x.onnx")).Message);
        var gelu = OnnxExport.ToBytes(new Sequential(new Linear(3, 2), new Tanh()), [3]);
        var patched = System.Text.Encoding.Latin1.GetString(gelu).Replace("Tanh", "Asin");   // an op outside the set, same length
        var e = Assert.Throws<InvalidDataException>(() => OnnxImport.Read(System.Text.Encoding.Latin1.GetBytes(patched), "m.onnx"));
        Assert.Contains("(Asin): this op is not imported", e.Message);
        Assert.Throws<FileNotFoundException>(() => OnnxImport.Load("/nonexistent/model.onnx"));
    }
}

[Collection(nameof(Sinapse.Tests.Support.ProcessWideCollection))]
public class CliOnnxTests
{
    [Fact]
    public void ExportARun_RunItInOnnxRuntime_AndImportItBack()
    {
        var dir = Sinapse.Tests.Support.CliRunner.Temp();
        var (code, _, err) = Sinapse.Tests.Support.CliRunner.Run("train", "--model", "mlp:32", "--epochs", "1", "--out", dir);
        Assert.True(code == 0, err);
        (code, var output, err) = Sinapse.Tests.Support.CliRunner.Run("export", "--onnx", dir);
        Assert.True(code == 0, err);
        Assert.Contains("opset", output);
        var (model, _) = Sinapse.Cli.RunFolder.LoadModel(dir);
        var images = Sinapse.Data.Mnist.LoadTest(Sinapse.Data.Mnist.FindDefaultDirectory()!).GetBatch(Enumerable.Range(0, 64).ToArray()).Input;
        using var runtime = new InferenceSession(Path.Combine(dir, "model.onnx"));
        using var results = runtime.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(images.ToArray(), images.Shape))]);
        var ort = results.First().AsEnumerable<float>().ToArray();
        float[] mine;
        using (Autograd.NoGrad()) mine = model.Call(images).ToArray();
        Assert.Equal(mine.Length, ort.Length);
        Assert.All(mine.Zip(ort), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5f, $"{p.First} vs {p.Second}"));
        var back = Path.Combine(dir, "imported");
        (code, _, err) = Sinapse.Tests.Support.CliRunner.Run("import", Path.Combine(dir, "model.onnx"), "--out", back);
        Assert.True(code == 0, err);
        var a = Sinapse.Tests.Support.CliRunner.Run("eval", "--model", dir).Out.Split('\n').First(l => l.StartsWith("test_accuracy"));
        var b = Sinapse.Tests.Support.CliRunner.Run("eval", "--model", back).Out.Split('\n').First(l => l.StartsWith("test_accuracy"));
        Assert.Equal(a, b);
    }
}
