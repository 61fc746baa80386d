using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Training;

/// <summary>
/// How fast an optimizer gets a network to a target loss: a fresh model (same seed for every optimizer) is trained
/// until its loss over the whole training set, measured after each epoch, reaches the target, or the epoch budget
/// runs out. Full-batch methods (gradient descent, Rprop, Quickprop) take one step per epoch; stochastic ones one per
/// mini-batch.
/// </summary>
public static class EpochsToTarget
{
    /// <summary>The epoch at which the target was first reached (null if never) and the loss after every epoch.</summary>
    public sealed record Result(string Optimizer, int? Epochs, IReadOnlyList<float> Losses, double Seconds);

    /// <summary>Trains one network with one optimizer until the loss reaches <paramref name="target"/>.</summary>
    /// <param name="name">The optimizer's name in the result.</param>
    /// <param name="model">Builds the network, the same weights on every call.</param>
    /// <param name="optimizer">Builds the optimizer over the given parameters.</param>
    /// <param name="data">The training set, which also measures the loss.</param>
    /// <param name="loss">The loss minimised and measured.</param>
    /// <param name="target">The loss to reach.</param>
    /// <param name="maxEpochs">The epoch budget.</param>
    /// <param name="batchSize">Rows per step; null for the whole set (full batch).</param>
    /// <param name="seed">Seeds the shuffling of mini-batches.</param>
    public static Result Run(string name, Func<Module<Tensor, Tensor>> model, Func<IEnumerable<Tensor>, Optimizer> optimizer, TensorDataset data,
        Loss loss, float target, int maxEpochs, int? batchSize = null, ulong seed = 0)
    {
        var net = model();
        var opt = optimizer(net.Parameters());
        var train = new DataLoader(data, batchSize ?? data.Count, shuffle: batchSize != null, seed: seed);
        var all = new DataLoader(data, data.Count);
        var losses = new List<float>();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int? reached = null;
        for (int epoch = 1; epoch <= maxEpochs; epoch++)
        {
            foreach (var (x, y) in train)
            {
                opt.ZeroGrad();
                loss.Call(net.Call(x), y).Backward();
                opt.Step();
            }
            float l = Trainer.Evaluate(net, loss, all).Loss;
            losses.Add(l);
            if (!float.IsFinite(l)) break;
            if (l <= target) { reached = epoch; break; }
        }
        return new Result(name, reached, losses, sw.Elapsed.TotalSeconds);
    }
}
