// A layer defined outside the library — a custom op with its backward, a parameter and a buffer — checked against
// finite differences, trained, and saved and loaded through safetensors and model.json.
using CustomLayer;
using Sinapse;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

var check = GradCheck.Check(xs => SwishOp.Apply(xs[0], xs[1]), [Tensor.Randn([3, 4], new Generator(1)).RequireGrad(), Tensor.Full([1], 1.5f).RequireGrad()]);
Console.WriteLine($"GradCheck of Swish: {(check.Passed ? "passed" : "FAILED")} (max error {check.MaxError:G3})");

// Two interleaved spirals: a small MLP with Swish activations separates them.
var g = new Generator(7);
int n = 400;
var xs = new float[2 * n]; var ys = new float[n];
for (int i = 0; i < n; i++)
{
    int c = i % 2; float t = 0.5f + 3f * (i / 2) / (n / 2f);
    xs[2 * i] = t * MathF.Cos(t + c * MathF.PI) + 0.1f * g.NextNormal();
    xs[2 * i + 1] = t * MathF.Sin(t + c * MathF.PI) + 0.1f * g.NextNormal();
    ys[i] = c;
}
var data = new TensorDataset(Tensor.FromArray(xs, n, 2), Tensor.FromArray(ys));
Swish.Register();
var spec = new ModelSpec([2], [new("Linear", new Dictionary<string, double> { ["in_features"] = 2, ["out_features"] = 32 }), new("Swish"),
    new("Linear", new Dictionary<string, double> { ["in_features"] = 32, ["out_features"] = 32 }), new("Swish"),
    new("Linear", new Dictionary<string, double> { ["in_features"] = 32, ["out_features"] = 2 })], 2);
var model = spec.Build(g);
var history = Trainer.Fit(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.02f), new DataLoader(data, 32, shuffle: true, seed: 7), epochs: 60);
Console.WriteLine($"spirals: accuracy {history.Epochs[^1].Accuracy:P1} after {history.Epochs.Count} epochs");
Console.WriteLine(model);

var dir = Path.Combine(Path.GetTempPath(), "sinapse-custom-layer");
Directory.CreateDirectory(dir);
ModelSpec.Of(model, [2], 2).Save(Path.Combine(dir, "model.json"));
model.Save(Path.Combine(dir, "model.safetensors"));
var again = ModelSpec.Load(Path.Combine(dir, "model.json")).Build();
again.Load(Path.Combine(dir, "model.safetensors"));
var e = Trainer.Evaluate(again, new CrossEntropyLoss(), new DataLoader(data, 400));
Console.WriteLine($"reloaded from {dir}: accuracy {e.Accuracy:P1}, Swish calls seen {((Swish)again[1]).Calls}");
