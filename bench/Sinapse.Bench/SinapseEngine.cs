using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Bench;

/// <summary>The workloads of WORKLOADS.md in Sinapse, through its public API.</summary>
public sealed class SinapseEngine : IEngine
{
    public void SetThreads(int n) => Settings.Threads = n;

    /// <summary>As the CLI does: a young collection every 64 backward passes keeps the resident set flat (MEM, BENCHMARKS.md).</summary>
    static SinapseEngine() => Settings.YoungCollectionInterval = int.TryParse(Environment.GetEnvironmentVariable("SINAPSE_YOUNG_GC"), out var n) ? n : 64;

    static Sequential Mlp(Generator g) =>
        new(new Linear(784, 512, gen: g), new ReLU(), new Linear(512, 256, gen: g), new ReLU(), new Linear(256, 10, gen: g));

    /// <summary>W2's training step (model, SGD with momentum, 8 cycled batches), shared by W2 and MEM.</summary>
    static Action W2Step(Generator g) => TrainStep(Mlp(g), [128, 784], g);

    /// <summary>W3's CNN: two 3×3 convolutions with ReLU and 2×2 max pooling, then a dense head.</summary>
    static Sequential Cnn(Generator g) => new(
        new Conv2d(1, 32, 3, gen: g), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3, gen: g), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(1600, 128, gen: g), new ReLU(), new Linear(128, 10, gen: g));

    /// <summary>W3's training step (the CNN, SGD with momentum, 8 cycled batches of 64 images).</summary>
    static Action W3Step(Generator g) => TrainStep(Cnn(g), [64, 1, 28, 28], g);

    /// <summary>
    /// W4's training step: LSTM(64→256, batch first) → Linear(256, 64) at every step, cross-entropy over 64 classes at
    /// all 32·64 positions, 4 cycled batches of 32×64×64.
    /// </summary>
    static Action W4Step(Generator g) =>
        TrainStep(new Sequential(new LSTM(64, 256, gen: g), new Linear(256, 64, gen: g), new Flatten(0, 1)), [32, 64, 64], g,
            labels: 32 * 64, classes: 64, pool: 4);

    /// <summary>A training step of WORKLOADS.md: SGD (lr 0.01, momentum 0.9), cross-entropy, cycled batches (8 of 10 classes by default).</summary>
    static Action TrainStep(Sequential model, int[] batchShape, Generator g, int? labels = null, int classes = 10, int pool = 8)
    {
        var opt = new SGD(model.Parameters(), 0.01f, momentum: 0.9f);
        var loss = new CrossEntropyLoss();
        int count = labels ?? batchShape[0];
        var xs = Enumerable.Range(0, pool).Select(_ => Tensor.Randn(batchShape, g)).ToArray();
        var ys = Enumerable.Range(0, pool).Select(_ => Tensor.FromArray(Enumerable.Range(0, count).Select(_ => (float)g.NextInt(classes)).ToArray())).ToArray();
        int i = 0;
        return () =>
        {
            opt.ZeroGrad();
            loss.Call(model.Call(xs[i % pool]), ys[i % pool]).Backward();
            opt.Step();
            i++;
        };
    }

    public IEnumerable<(string, double, string)> Run(string w, RunSettings settings)
    {
        var timing = settings.Timing;
        var g = new Generator(42);
        switch (w)
        {
            case "W1":
                foreach (var n in new[] { 256, 512, 1024, 2048 })
                {
                    var a = Tensor.Randn([n, n], g); var b = Tensor.Randn([n, n], g);
                    double s = timing.Measure(() => Tensor.MatMul(a, b), 0.3);
                    yield return ($"sgemm n={n}", 2.0 * n * n * n / s / 1e9, "GFLOP/s");
                }
                break;
            case "W2":
            {
                double s = timing.Measure(W2Step(g), 1.0);
                yield return ("mlp train step b128", 128 / s, "samples/s");
                break;
            }
            case "W3":
            {
                double s = timing.Measure(W3Step(g), 1.0);
                yield return ("cnn train step b64", 64 / s, "samples/s");
                break;
            }
            case "W4":
            {
                double s = timing.Measure(W4Step(g), 1.0);
                yield return ("lstm train step b32 t64", 32 * 64 / s, "tokens/s");
                break;
            }
            case "W5":
            case "W6":
            {
                // The documented way to run a trained model: prepared for inference (bit-identical to the plain model).
                var model = Inference.Prepare(Mlp(g));
                int batch = w == "W5" ? 1 : 1024;
                var x = Tensor.Randn([batch, 784], g);
                if (w == "W5")
                {
                    double s = timing.MeasureLatency(() => { using (Autograd.NoGrad()) model.Call(x); });
                    yield return ("mlp infer b1", s * 1e6, "us");
                }
                else
                {
                    double s = timing.Measure(() => { using (Autograd.NoGrad()) model.Call(x); }, 0.5);
                    yield return ("mlp infer b1024", batch / s, "samples/s");
                }
                break;
            }
            case "MEM":
                foreach (var r in MemoryWorkload.Run(W2Step(g), MemoryWorkload.Steps(settings.Quick), managedCounters: true)) yield return r;
                break;
            case "TTA-CHAR":
                foreach (var r in SinapseCharTta.Run(settings)) yield return r;
                break;
            case "TTA" or "TTA-CNN":
                foreach (var r in SinapseTta.Run(settings, Tta.Find(w)!)) yield return r;
                break;
            default: throw new ArgumentException($"unknown workload {w}");
        }
    }
}
