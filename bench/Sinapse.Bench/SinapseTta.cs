using System.Diagnostics;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Bench;

/// <summary>TTA in Sinapse, written the way a user would: public API only (Sequential, DataLoader, Adam, NoGrad).</summary>
public static class SinapseTta
{
    public static IEnumerable<(string, double, string)> Run(RunSettings settings)
    {
        var data = MnistData.Load(settings.DataDir, settings.Quick);
        var g = new Generator(Tta.Seed);
        var model = new Sequential(
            new Linear(MnistData.Pixels, Tta.Hidden1, gen: g), new ReLU(),
            new Linear(Tta.Hidden1, Tta.Hidden2, gen: g), new ReLU(),
            new Linear(Tta.Hidden2, Tta.Classes, gen: g));
        var opt = new Adam(model.Parameters(), Tta.LearningRate);
        var loss = new CrossEntropyLoss();
        var loader = new DataLoader(data.Train, Tta.BatchSize, shuffle: true, seed: Tta.Seed);
        var epochs = new List<(double, double)>();
        for (int epoch = 1; epoch <= Tta.Epochs(settings.Quick); epoch++)
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
            double acc = Accuracy(model, data.Test);
            epochs.Add((seconds, acc));
            foreach (var line in Tta.EpochLines(epoch, seconds, acc)) yield return line;
        }
        foreach (var line in Tta.Summary(epochs)) yield return line;
    }

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
