using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Sinapse.Bench;

/// <summary>TTA-CHAR in TorchSharp: the loop a PyTorch user writes, carrying (h, c) detached between chunks.</summary>
public static class TorchCharTta
{
    public static IEnumerable<(string, double, string)> Run(RunSettings settings)
    {
        var d = CharTta.Load();
        int v = d.Vocab.Size;
        torch.manual_seed(42);
        var emb = nn.Embedding(v, CharTta.EmbeddingDim);
        var lstm = nn.LSTM(CharTta.EmbeddingDim, CharTta.Hidden, batchFirst: true);
        var head = nn.Linear(CharTta.Hidden, v);
        var parameters = emb.parameters().Concat(lstm.parameters()).Concat(head.parameters()).ToList();
        var opt = torch.optim.Adam(parameters, CharTta.LearningRate);
        var loss = nn.CrossEntropyLoss();
        var batches = Enumerable.Range(0, d.Train.Count).Select(k => Batch(d.Train, k)).ToArray();
        double budget = CharTta.Budget(settings);
        long tokens = 0;
        List<double> val = [], scores = [];
        (TorchSharp.torch.Tensor H, TorchSharp.torch.Tensor C)? state = null;
        var sw = Stopwatch.StartNew();
        for (int k = 0; scores.Count < CharTta.Checkpoints; k = (k + 1) % batches.Length)
        {
            if (k == 0) state = null;
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var (y, h, c) = lstm.forward(emb.forward(batches[k].X), state);
            loss.forward(head.forward(y).reshape(-1, v), batches[k].Y).backward();
            nn.utils.clip_grad_norm_(parameters, CharTta.ClipNorm);
            opt.step();
            state = (h.detach().MoveToOuterDisposeScope(), c.detach().MoveToOuterDisposeScope());
            tokens += CharTta.Streams * CharTta.Steps;
            if (sw.Elapsed.TotalSeconds >= budget * (scores.Count + 1) / CharTta.Checkpoints)
            {
                sw.Stop();
                val.Add(Score(emb, lstm, head, loss, d.Validation, v));
                scores.Add(Score(emb, lstm, head, loss, d.HeldOut, v));
                state = null; // as Sinapse: training goes on from zero states
                sw.Start();
            }
        }
        foreach (var line in CharTta.Lines(budget, sw.Elapsed.TotalSeconds, tokens, val, scores)) yield return line;
    }

    static double Score(TorchSharp.Modules.Embedding emb, TorchSharp.Modules.LSTM lstm, TorchSharp.Modules.Linear head,
        TorchSharp.Modules.CrossEntropyLoss loss, Sinapse.Data.CharStreams split, int v)
    {
        (TorchSharp.torch.Tensor H, TorchSharp.torch.Tensor C)? state = null;
        using (torch.no_grad())
            return CharTta.Score(split, k =>
            {
                using var scope = torch.NewDisposeScope();
                var (x, target) = Batch(split, k);
                var (y, h, c) = lstm.forward(emb.forward(x), state);
                state = (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
                return loss.forward(head.forward(y).reshape(-1, v), target).item<float>();
            });
    }

    static (TorchSharp.torch.Tensor X, TorchSharp.torch.Tensor Y) Batch(Sinapse.Data.CharStreams s, int k)
    {
        var (x, y) = s.GetBatch([k]);
        return (torch.tensor(x.ToArray().Select(f => (long)f).ToArray(), [CharTta.Streams, CharTta.Steps]),
                torch.tensor(y.ToArray().Select(f => (long)f).ToArray(), [CharTta.Streams * CharTta.Steps]));
    }
}
