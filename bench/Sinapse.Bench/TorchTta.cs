using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using TTensor = TorchSharp.torch.Tensor;

namespace Sinapse.Bench;

/// <summary>
/// TTA in TorchSharp: the loop a PyTorch user writes, on the same float arrays Sinapse trains on (see
/// <see cref="MnistData"/>), batches gathered with index_select from one (N, 784) tensor.
/// </summary>
public static class TorchTta
{
    static TorchSharp.Modules.Sequential Model(Tta recipe) => recipe.Convolutional
        ? nn.Sequential(("0", nn.Conv2d(1, 32, 3)), ("1", nn.ReLU()), ("2", nn.MaxPool2d(2)), ("3", nn.Conv2d(32, 64, 3)),
            ("4", nn.ReLU()), ("5", nn.MaxPool2d(2)), ("6", nn.Flatten()), ("7", nn.Linear(1600, 128)), ("8", nn.ReLU()),
            ("9", nn.Dropout(Tta.DropoutRate)), ("10", nn.Linear(128, Tta.Classes)))
        : nn.Sequential(("0", nn.Linear(MnistData.Pixels, 256)), ("1", nn.ReLU()), ("2", nn.Linear(256, 128)), ("3", nn.ReLU()),
            ("4", nn.Linear(128, Tta.Classes)));

    public static IEnumerable<(string, double, string)> Run(RunSettings settings, Tta recipe)
    {
        var data = MnistData.Load(settings.DataDir, settings.Quick);
        int n = data.TrainCount;
        using var trainX = torch.tensor(data.TrainImages, recipe.InputShape(n));
        using var trainY = torch.tensor(data.TrainLabels, [n]);
        using var testX = torch.tensor(data.TestImages, recipe.InputShape(data.Test.Count));
        using var testY = torch.tensor(data.TestLabels, [data.Test.Count]);

        torch.manual_seed((long)Tta.Seed);
        var model = Model(recipe);
        var opt = torch.optim.Adam(model.parameters(), lr: Tta.LearningRate);
        var loss = nn.CrossEntropyLoss();
        var order = new global::Sinapse.Generator(Tta.Seed); // the same epoch orders as Sinapse's DataLoader
        var epochs = new List<(double, double)>();
        for (int epoch = 1; epoch <= recipe.Epochs(settings.Quick); epoch++)
        {
            model.train();
            var sw = Stopwatch.StartNew();
            using (var perm = torch.tensor(order.Permutation(n).Select(i => (long)i).ToArray(), [n]))
            {
                for (int s = 0; s < n; s += recipe.BatchSize)
                {
                    using var scope = torch.NewDisposeScope();
                    var idx = perm.narrow(0, s, Math.Min(recipe.BatchSize, n - s));
                    opt.zero_grad();
                    loss.forward(model.forward(trainX.index_select(0, idx)), trainY.index_select(0, idx)).backward();
                    opt.step();
                }
            }
            double seconds = sw.Elapsed.TotalSeconds;
            double acc = Accuracy(model, testX, testY);
            epochs.Add((seconds, acc));
            foreach (var line in Tta.EpochLines(epoch, seconds, acc)) yield return line;
        }
        foreach (var line in recipe.Summary(epochs)) yield return line;
    }

    static double Accuracy(nn.Module<TTensor, TTensor> model, TTensor x, TTensor y)
    {
        model.eval();
        using var _ = torch.no_grad();
        long correct = 0, count = x.shape[0];
        for (long s = 0; s < count; s += Tta.EvalBatch)
        {
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(Tta.EvalBatch, count - s);
            correct += model.forward(x.narrow(0, s, len)).argmax(1).eq(y.narrow(0, s, len)).sum().item<long>();
        }
        return correct / (double)count;
    }
}
