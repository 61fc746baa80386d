using CustomLayer;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Tests;

/// <summary>
/// A layer defined in a project outside the library (examples/CustomLayer: a custom op with its backward, a parameter
/// and a buffer), through the public API only.
/// </summary>
public class CustomLayerTests
{
    [Fact]
    public void CustomOp_PassesGradCheck_ForBothInputs()
    {
        var x = Tensor.Randn([3, 5], new Generator(1)).RequireGrad();
        var beta = Tensor.Full([1], 1.7f).RequireGrad();
        TestUtil.Passes(GradCheck.Check(t => SwishOp.Apply(t[0], t[1]), [x, beta]));
        // Without gradients no node is recorded; the values are x·σ(βx).
        using (Autograd.NoGrad())
        {
            var y = SwishOp.Apply(x, beta);
            Assert.Null(y.GradFnName);
            TestUtil.Close((x * (x * 1.7f).Sigmoid()).ToArray(), y.ToArray(), 1e-6f);
        }
        Assert.Equal("Swish", SwishOp.Apply(x, beta).GradFnName);
    }

    static (Sequential Model, TensorDataset Data) Setup(ulong seed)
    {
        var g = new Generator(seed);
        var x = Tensor.Randn([64, 2], g);
        var y = (x.Select(1, 0) * x.Select(1, 1)).Gt(0f); // XOR-like quadrants
        var model = new Sequential(new Linear(2, 16, gen: g), new Swish(), new Linear(16, 2, gen: g));
        return (model, new TensorDataset(x, y));
    }

    [Fact]
    public void CustomLayer_Trains_CountsInItsBuffer_AndLearnsItsSlope()
    {
        var (model, data) = Setup(2);
        var swish = (Swish)model[1];
        var history = Trainer.Fit(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.05f), new DataLoader(data, 16, shuffle: true, seed: 3), epochs: 40);
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss * 0.5f, $"loss {history.Epochs[0].Loss} → {history.Epochs[^1].Loss}");
        Assert.True(history.Epochs[^1].Accuracy > 0.9f);
        Assert.NotEqual(1f, swish.Beta.Item());           // the slope is a parameter the optimizer updates
        Assert.Equal(40 * 4, swish.Calls);                // 4 batches per epoch, training mode only
        Assert.Contains(model.NamedBuffers(), b => b.Name == "1.calls");
        Assert.Contains(model.StateDict(), s => s.Name == "1.beta");
    }

    [Fact]
    public void CustomLayer_SavesAndLoads_ThroughSafetensorsAndModelJson()
    {
        var (model, data) = Setup(4);
        Trainer.Fit(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.05f), new DataLoader(data, 16), epochs: 3);
        var dir = Directory.CreateTempSubdirectory("sinapse-custom-").FullName;
        try
        {
            Swish.Register();
            ModelSpec.Of(model, [2], 2).Save(Path.Combine(dir, "model.json"));
            model.Save(Path.Combine(dir, "model.safetensors"));
            var again = ModelSpec.Load(Path.Combine(dir, "model.json")).Build(new Generator(99));
            Assert.IsType<Swish>(again[1]);
            again.Load(Path.Combine(dir, "model.safetensors"));
            Assert.Equal(((Swish)model[1]).Calls, ((Swish)again[1]).Calls); // the buffer came back
            Assert.Equal(((Swish)model[1]).Beta.Item(), ((Swish)again[1]).Beta.Item());
            model.Eval(); again.Eval();
            using (Autograd.NoGrad()) Assert.Equal(model.Call(data.Inputs).ToArray(), again.Call(data.Inputs).ToArray());
            // Prepared for inference, the model with a custom layer still gives the same values.
            var prepared = Inference.Prepare(again);
            using (Autograd.NoGrad()) Assert.Equal(again.Call(data.Inputs).ToArray(), prepared.Call(data.Inputs).ToArray());
            // A file without the buffer is refused, naming it.
            var paramsOnly = Path.Combine(dir, "params.safetensors");
            Safetensors.Save(paramsOnly, model.NamedParameters());
            var e = Assert.Throws<InvalidDataException>(() => again.Load(paramsOnly));
            Assert.Contains("1.calls", e.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ModelJson_NamesUnknownTypes_AndBadArguments()
    {
        var spec = new ModelSpec([2], [new LayerSpec("NoSuchLayer")], 2);
        var e = Assert.Throws<InvalidDataException>(() => spec.Build());
        Assert.Contains("NoSuchLayer", e.Message); Assert.Contains("ModuleRegistry.Register", e.Message);
        var half = new LayerSpec("Linear", new Dictionary<string, double> { ["in_features"] = 2.5, ["out_features"] = 3 });
        e = Assert.Throws<InvalidDataException>(() => half.Build(null));
        Assert.Contains("in_features", e.Message); Assert.Contains("whole number", e.Message);
        var drop = new LayerSpec("Dropout", new Dictionary<string, double> { ["p"] = 1 });
        e = Assert.Throws<InvalidDataException>(() => drop.Build(null));
        Assert.Contains("'p'", e.Message);
    }

    [Fact]
    public void EveryBuiltInLayer_DescribesItself_SoModelJsonRebuildsIt()
    {
        var g = new Generator(5);
        var model = new Sequential(new Flatten(), new Linear(4, 6, gen: g), new PReLU(), new Softplus(2f, 10f), new Hardtanh(-2f, 2f),
            new LeakyReLU(0.2f), new ELU(0.5f), new Dropout(0.1f), new SiLU(), new Mish(), new Softsign(), new ReLU6(), new GELU(),
            new Sigmoid(), new Tanh(), new ReLU(), new Linear(6, 3, bias: false, gen: g), new LogSoftmax(1));
        var json = ModelSpec.Of(model, [2, 2], 3).ToJson();
        var again = ModelSpec.FromJson(json).Build(g);
        Assert.Equal(model.ToString(), again.ToString());
    }

    [Fact]
    public void EveryConvolutionalLayer_DescribesItself_SoModelJsonRebuildsIt()
    {
        var g = new Generator(6);
        var model = new Sequential(new Conv2d(2, 4, 3, stride: 2, padding: 1, dilation: 1, groups: 2, gen: g), new BatchNorm2d(4, 1e-3f, 0.2f),
            new ReLU(), new Dropout2d(0.2f), new MaxPool2d(2, 1, 1), new AvgPool2d(3, 1, 1, countIncludePad: false),
            new ConvTranspose2d(4, 2, 3, stride: 2, padding: 1, outputPadding: 1, gen: g), new Upsample(2), new AdaptiveAvgPool2d(3, 2),
            new Flatten(), new BatchNorm1d(12), new Linear(12, 3, gen: g));
        var json = ModelSpec.Of(model, [2, 8, 8], 3).ToJson();
        var again = ModelSpec.FromJson(json).Build(g);
        Assert.Equal(model.ToString(), again.ToString());
        Assert.Equal(model.StateDict().Select(p => (p.Name, string.Join(",", p.Value.Shape))), again.StateDict().Select(p => (p.Name, string.Join(",", p.Value.Shape))));
        Assert.Equal(model.StateDict().Sum(p => (long)p.Value.Numel), ModelSpec.FromJson(json).Values());
        var conv1 = new Sequential(new Conv1d(3, 4, 3, stride: 2, padding: 1, gen: g), new Flatten());
        Assert.Equal(conv1.ToString(), ModelSpec.FromJson(ModelSpec.Of(conv1, [3, 9], 0).ToJson()).Build(g).ToString());
    }
}
