// Defines a network and trains it on the shipped MNIST in a few lines. Run from the repository root:
//   dotnet run --project examples/QuickStart -c Release
using Sinapse;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

Generator.ManualSeed(42);
var (train, test) = Mnist.Load(Mnist.FindDefaultDirectory()!);
var model = new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10));
var history = Trainer.Fit(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 1e-3f),
    new DataLoader(train, 128, shuffle: true, seed: 42), new DataLoader(test, 1000), epochs: 3,
    new LambdaCallback { EpochEnd = (_, e) => Console.WriteLine($"epoch {e.Epoch}: loss {e.Loss:F4}, test accuracy {e.ValAccuracy:P2}") });
Console.WriteLine(model.Summary(1, 1, 28, 28));
