using System.Diagnostics;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Bench;

/// <summary>TTA-CHAR in Sinapse through its public API: a stateful LSTM in a Sequential, Adam, GradClip.</summary>
public static class SinapseCharTta
{
    public static IEnumerable<(string, double, string)> Run(RunSettings settings)
    {
        var d = CharTta.Load();
        int v = d.Vocab.Size;
        var g = new Generator(42);
        var model = new Sequential(new Embedding(v, CharTta.EmbeddingDim, gen: g), new LSTM(CharTta.EmbeddingDim, CharTta.Hidden, gen: g) { Stateful = true },
            new Linear(CharTta.Hidden, v, gen: g), new Flatten(0, 1));
        var opt = new Adam(model.Parameters(), CharTta.LearningRate);
        var loss = new CrossEntropyLoss();
        double budget = CharTta.Budget(settings);
        long tokens = 0;
        model.Train();
        var sw = Stopwatch.StartNew();
        for (int k = 0; sw.Elapsed.TotalSeconds < budget; k = (k + 1) % d.Train.Count)
        {
            if (k == 0) RecurrentLayer.ResetStates(model);
            var (x, y) = d.Train.GetBatch([k]);
            opt.ZeroGrad();
            loss.Call(model.Call(x), y).Backward();
            GradClip.ClipNorm(model.Parameters(), CharTta.ClipNorm);
            opt.Step();
            tokens += CharTta.Streams * CharTta.Steps;
        }
        double seconds = sw.Elapsed.TotalSeconds;

        model.Eval();
        RecurrentLayer.ResetStates(model);
        double sum = 0;
        using (Autograd.NoGrad())
            for (int k = 0; k < d.HeldOut.Count; k++)
            {
                var (x, y) = d.HeldOut.GetBatch([k]);
                sum += loss.Call(model.Call(x), y).Item();
            }
        foreach (var line in CharTta.Lines(seconds, tokens, sum / d.HeldOut.Count)) yield return line;
    }
}
