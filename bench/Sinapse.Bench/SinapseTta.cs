using System.Diagnostics;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Bench;

/// <summary>TTA in Sinapse, written the way a user would: public API only (Sequential, DataLoader, Adam, NoGrad).</summary>
public static class SinapseTta
{
    static Sequential Model(Tta recipe, Generator g) => recipe.Convolutional
        ? new(new Conv2d(1, 32, 3, gen: g), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3, gen: g), new ReLU(), new MaxPool2d(2),
              new Flatten(), new Linear(1600, 128, gen: g), new ReLU(), new Dropout(Tta.DropoutRate, g), new Linear(128, Tta.Classes, gen: g))
        : new(new Linear(MnistData.Pixels, 256, gen: g), new ReLU(), new Linear(256, 128, gen: g), new ReLU(),
              new Linear(128, Tta.Classes, gen: g));

    public static IEnumerable<(string, double, string)> Run(RunSettings settings, Tta recipe)
    {
        var data = MnistData.Load(settings.DataDir, settings.Quick);
        var train = Shaped(data.Train, recipe);
        var test = Shaped(data.Test, recipe);
        var g = new Generator(Tta.Seed);
        var model = Model(recipe, g);
        var opt = new Adam(model.Parameters(), Tta.LearningRate);
        var loss = new CrossEntropyLoss();
        var loader = new DataLoader(train, recipe.BatchSize, shuffle: true, seed: Tta.Seed);
        var epochs = new List<(double, double)>();
        for (int epoch = 1; epoch <= recipe.Epochs(settings.Quick); epoch++)
        {
            model.Train();
            var sw = Stopwatch.StartNew();
            foreach (var (x, y) in loader)
            {
                opt.ZeroGrad();
                loss.Call(model.Call(x), y).Backward();
                opt.Step();
            }
            double seconds = sw.Elapsed.TotalSeconds;
            double acc = Accuracy(model, test);
            epochs.Add((seconds, acc));
            foreach (var line in Tta.EpochLines(epoch, seconds, acc)) yield return line;
        }
        foreach (var line in recipe.Summary(epochs)) yield return line;
    }

    static TensorDataset Shaped(TensorDataset d, Tta recipe) =>
        new(d.Inputs.Reshape(recipe.InputShape(d.Count).Select(v => (int)v).ToArray()), d.Targets);

    /// <summary>Share of test images whose highest logit is the label (not timed).</summary>
    static double Accuracy(Module<Tensor, Tensor> model, TensorDataset test)
    {
        model.Eval();
        int correct = 0;
        using (Autograd.NoGrad())
        {
            for (int s = 0; s < test.Count; s += Tta.EvalBatch)
            {
                int e = Math.Min(test.Count, s + Tta.EvalBatch);
                var pred = model.Call(test.Inputs.Slice(0, s, e)).ArgMax(1).ToArray();
                var labels = test.Targets.Slice(0, s, e).ToArray();
                for (int i = 0; i < pred.Length; i++) if (pred[i] == labels[i]) correct++;
            }
        }
        return correct / (double)test.Count;
    }
}
