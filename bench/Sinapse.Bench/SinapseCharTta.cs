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
        List<double> val = [], scores = [];
        var sw = Stopwatch.StartNew();
        for (int k = 0; scores.Count < CharTta.Checkpoints; k = (k + 1) % d.Train.Count)
        {
            if (k == 0) RecurrentLayer.ResetStates(model);
            model.Train(); // after a checkpoint: back to training, from zero states
            var (x, y) = d.Train.GetBatch([k]);
            opt.ZeroGrad();
            loss.Call(model.Call(x), y).Backward();
            GradClip.ClipNorm(model.Parameters(), CharTta.ClipNorm);
            opt.Step();
            tokens += CharTta.Streams * CharTta.Steps;
            if (sw.Elapsed.TotalSeconds >= budget * (scores.Count + 1) / CharTta.Checkpoints)
            {
                sw.Stop();
                val.Add(Score(model, loss, d.Validation));
                scores.Add(Score(model, loss, d.HeldOut));
                sw.Start();
            }
        }
        foreach (var line in CharTta.Lines(budget, sw.Elapsed.TotalSeconds, tokens, val, scores)) yield return line;
    }

    /// <summary>Mean cross-entropy (nats) over a split's chunks, read in order with the state carried.</summary>
    static double Score(Sequential model, CrossEntropyLoss loss, Sinapse.Data.CharStreams split)
    {
        model.Eval();
        RecurrentLayer.ResetStates(model);
        using (Autograd.NoGrad())
            return CharTta.Score(split, k =>
            {
                var (x, y) = split.GetBatch([k]);
                return loss.Call(model.Call(x), y).Item();
            });
    }
}
