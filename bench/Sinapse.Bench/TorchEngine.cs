using TorchSharp;
using static TorchSharp.torch;

namespace Sinapse.Bench;

/// <summary>The same workloads in TorchSharp-cpu (libtorch), PyTorch-default initialisation.</summary>
/// <remarks>
/// No static fields here, and nothing of TorchSharp runs before <see cref="Create"/> has patched the native library:
/// TorchSharp loads libLibTorchSharp.so from its static initialisers, and a load that fails once stays failed.
/// </remarks>
public sealed class TorchEngine : IEngine
{
    TorchEngine() { }

    /// <summary>Makes libLibTorchSharp.so loadable on Debian 12 (see <see cref="ElfVersionRelax"/>), then the engine.</summary>
    public static TorchEngine Create()
    {
        ElfVersionRelax.RelaxTorchSharp(AppContext.BaseDirectory);
        return new TorchEngine();
    }

    public void SetThreads(int n) => torch.set_num_threads(n);

    static TorchSharp.Modules.Sequential Mlp() => nn.Sequential(
        ("0", nn.Linear(784, 512)), ("1", nn.ReLU()), ("2", nn.Linear(512, 256)), ("3", nn.ReLU()), ("4", nn.Linear(256, 10)));

    /// <summary>W2's training step (model, SGD with momentum, 8 cycled batches), shared by W2 and MEM.</summary>
    static Action W2Step() => TrainStep(Mlp(), [128, 784]);

    /// <summary>W3's training step (the CNN, SGD with momentum, 8 cycled batches of 64 images).</summary>
    static Action W3Step() => TrainStep(nn.Sequential(("0", nn.Conv2d(1, 32, 3)), ("1", nn.ReLU()), ("2", nn.MaxPool2d(2)), ("3", nn.Conv2d(32, 64, 3)),
        ("4", nn.ReLU()), ("5", nn.MaxPool2d(2)), ("6", nn.Flatten()), ("7", nn.Linear(1600, 128)), ("8", nn.ReLU()), ("9", nn.Linear(128, 10))), [64, 1, 28, 28]);

    /// <summary>W4's training step: LSTM(64→256, batch first) → Linear(256, 64) at every step, 4 cycled batches of 32×64×64.</summary>
    static Action W4Step()
    {
        var lstm = nn.LSTM(64, 256, batchFirst: true);
        var head = nn.Linear(256, 64);
        var opt = torch.optim.SGD(lstm.parameters().Concat(head.parameters()), 0.01, momentum: 0.9);
        var loss = nn.CrossEntropyLoss();
        var xs = Enumerable.Range(0, 4).Select(_ => torch.randn(32, 64, 64)).ToArray();
        var ys = Enumerable.Range(0, 4).Select(_ => torch.randint(0, 64, new long[] { 32 * 64 }, dtype: ScalarType.Int64)).ToArray();
        int i = 0;
        return () =>
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var (y, _, _) = lstm.forward(xs[i % 4]);
            loss.forward(head.forward(y).reshape(-1, 64), ys[i % 4]).backward();
            opt.step();
            i++;
        };
    }

    /// <summary>A training step of WORKLOADS.md: SGD (lr 0.01, momentum 0.9), cross-entropy over 10 classes, 8 cycled batches.</summary>
    static Action TrainStep(TorchSharp.Modules.Sequential model, long[] batchShape)
    {
        var opt = torch.optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        var loss = nn.CrossEntropyLoss();
        var xs = Enumerable.Range(0, 8).Select(_ => torch.randn(batchShape)).ToArray();
        var ys = Enumerable.Range(0, 8).Select(_ => torch.randint(0, 10, new long[] { batchShape[0] }, dtype: ScalarType.Int64)).ToArray();
        int i = 0;
        return () =>
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            loss.forward(model.forward(xs[i % 8]), ys[i % 8]).backward();
            opt.step();
            i++;
        };
    }

    public IEnumerable<(string, double, string)> Run(string w, RunSettings settings)
    {
        var timing = settings.Timing;
        torch.manual_seed(42);
        switch (w)
        {
            case "W1":
                foreach (var n in new[] { 256, 512, 1024, 2048 })
                {
                    var a = torch.randn(n, n); var b = torch.randn(n, n);
                    double s = timing.Measure(() => { using var c = torch.mm(a, b); }, 0.3);
                    yield return ($"sgemm n={n}", 2.0 * n * n * n / s / 1e9, "GFLOP/s");
                }
                break;
            case "W2":
            {
                double s = timing.Measure(W2Step(), 1.0);
                yield return ("mlp train step b128", 128 / s, "samples/s");
                break;
            }
            case "W3":
            {
                double s = timing.Measure(W3Step(), 1.0);
                yield return ("cnn train step b64", 64 / s, "samples/s");
                break;
            }
            case "W4":
            {
                double s = timing.Measure(W4Step(), 1.0);
                yield return ("lstm train step b32 t64", 32 * 64 / s, "tokens/s");
                break;
            }
            case "W5":
            case "W6":
            {
                var model = Mlp(); model.eval();
                int batch = w == "W5" ? 1 : 1024;
                var x = torch.randn(batch, 784);
                if (w == "W5")
                {
                    double s = timing.MeasureLatency(() => { using var _ = torch.no_grad(); using var y = model.forward(x); });
                    yield return ("mlp infer b1", s * 1e6, "us");
                }
                else
                {
                    double s = timing.Measure(() => { using var _ = torch.no_grad(); using var y = model.forward(x); }, 0.5);
                    yield return ("mlp infer b1024", batch / s, "samples/s");
                }
                break;
            }
            case "MEM":
                foreach (var r in MemoryWorkload.Run(W2Step(), MemoryWorkload.Steps(settings.Quick), managedCounters: false)) yield return r;
                break;
            case "TTA-CHAR":
                foreach (var r in TorchCharTta.Run(settings)) yield return r;
                break;
            case "TTA" or "TTA-CNN":
                foreach (var r in TorchTta.Run(settings, Tta.Find(w)!)) yield return r;
                break;
            default: throw new ArgumentException($"unknown workload {w}");
        }
    }
}
