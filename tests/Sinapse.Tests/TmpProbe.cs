using System.Diagnostics;
using Sinapse.Tests.Support;
namespace Sinapse.Tests;
[Collection(nameof(ProcessWideCollection))]
public class TmpProbe
{
    static (double F, double B) Time(Func<Tensor, Tensor> f, Tensor x0, int reps = 60)
    {
        var x = x0.Detach().RequireGrad();
        var y0 = f(x); var g = Tensor.Ones(y0.Shape);
        double tf = 0, tb = 0;
        for (int i = 0; i < reps + 10; i++)
        {
            x = x0.Detach().RequireGrad();
            var sw = Stopwatch.StartNew();
            var y = f(x);
            double a = sw.Elapsed.TotalMilliseconds;
            y.Backward(g);
            double b = sw.Elapsed.TotalMilliseconds - a;
            if (i >= 10) { tf += a; tb += b; }
        }
        return (tf / reps, tb / reps);
    }
    [Fact]
    public void Probe()
    {
        var log = new System.Text.StringBuilder();
        var gen = new Generator(1);
        var w1 = Tensor.Randn([32, 1, 3, 3], gen).RequireGrad(); var b1 = Tensor.Randn([32], gen).RequireGrad();
        var w2 = Tensor.Randn([64, 32, 3, 3], gen).RequireGrad(); var b2 = Tensor.Randn([64], gen).RequireGrad();
        var x = Tensor.Randn([64, 1, 28, 28], gen);
        var h1 = Tensor.Randn([64, 32, 26, 26], gen);
        var p1 = Tensor.Randn([64, 32, 13, 13], gen);
        var h2 = Tensor.Randn([64, 64, 11, 11], gen);
        foreach (int th in new[] { 2, 1 })
        {
            using var _ = new ThreadCount(th);
            void Row(string name, Sinapse.Layers.Module<Tensor, Tensor> m, Tensor input) { var (a, b) = Time(t => m.Call(t), input); log.AppendLine($"T{th} {name,-10} fwd {a,7:F3} ms  bwd {b,7:F3} ms"); }
            var g2 = new Generator(3);
            Row("conv1", new Sinapse.Layers.Conv2d(1, 32, 3, gen: g2), x);
            Row("relu1", new Sinapse.Layers.ReLU(), h1);
            Row("pool1", new Sinapse.Layers.MaxPool2d(2), h1);
            Row("conv2", new Sinapse.Layers.Conv2d(32, 64, 3, gen: g2), p1);
            Row("relu2", new Sinapse.Layers.ReLU(), h2);
            Row("pool2", new Sinapse.Layers.MaxPool2d(2), h2);
            var whole = new Sinapse.Layers.Sequential(new Sinapse.Layers.Conv2d(1, 32, 3, gen: g2), new Sinapse.Layers.ReLU(), new Sinapse.Layers.MaxPool2d(2),
                new Sinapse.Layers.Conv2d(32, 64, 3, gen: g2), new Sinapse.Layers.ReLU(), new Sinapse.Layers.MaxPool2d(2), new Sinapse.Layers.Flatten(),
                new Sinapse.Layers.Linear(1600, 128, gen: g2), new Sinapse.Layers.ReLU(), new Sinapse.Layers.Linear(128, 10, gen: g2));
            Row("whole", whole, x);
        }
        File.WriteAllText("/tmp/probe.txt", log.ToString());
    }
}
