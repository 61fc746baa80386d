using System.IO.Compression;
using System.Text;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Tests;

using static TestUtil;

/// <summary>Texts, vocabularies, streams for truncated BPTT, stateful layers, sampling and a tiny character model.</summary>
public class LanguageModelTests
{
    static string TempFile(string name) => Path.Combine(Path.GetTempPath(), "sinapse-text-" + Guid.NewGuid().ToString("N") + name);

    [Fact]
    public void Vocabulary_encodes_decodes_round_trips_and_names_unknown_characters()
    {
        var v = CharVocabulary.FromText("hello world");
        Assert.Equal(" dehlorw", v.Symbols);
        Assert.Equal("world hello", v.Decode(v.Encode("world hello")));
        var e = Assert.Throws<ArgumentException>(() => v.Encode("hex"));
        Assert.Contains("'x'", e.Message); Assert.Contains("position 2", e.Message);
        Assert.Equal(v.Symbols, CharVocabulary.FromJson(v.ToJson(), "vocab.json").Symbols);
        var bad = Assert.Throws<InvalidDataException>(() => CharVocabulary.FromJson("{\"chars\": 3}", "run/vocab.json"));
        Assert.Contains("run/vocab.json", bad.Message);
        Assert.Throws<InvalidDataException>(() => CharVocabulary.FromJson("{\"chars\": \"aa\"}", "v.json"));
    }

    [Fact]
    public void Text_loads_plain_and_gzipped_and_bad_bytes_name_the_file()
    {
        var txt = TempFile(".txt");
        File.WriteAllText(txt, "Call me Ishmael.");
        Assert.Equal("Call me Ishmael.", TextCorpus.Load(txt));
        var gz = TempFile(".txt.gz");
        using (var f = File.Create(gz)) using (var z = new GZipStream(f, CompressionLevel.Fastest)) z.Write(Encoding.UTF8.GetBytes("Ahab"));
        Assert.Equal("Ahab", TextCorpus.Load(gz));
        var bin = TempFile(".txt");
        File.WriteAllBytes(bin, [0x41, 0xC3, 0x28]);
        Assert.Contains(bin, Assert.Throws<InvalidDataException>(() => TextCorpus.Load(bin)).Message);
        var notGz = TempFile(".gz");
        File.WriteAllText(notGz, "plain");
        Assert.Contains(notGz, Assert.Throws<InvalidDataException>(() => TextCorpus.Load(notGz)).Message);
    }

    [Fact]
    public void Shipped_moby_dick_is_checked_and_whole()
    {
        var text = TextCorpus.LoadShipped("moby-dick");
        Assert.Equal(1_217_534, text.Length);
        Assert.StartsWith("CONTENTS", text);
        Assert.Contains("Call me Ishmael", text);
        Assert.Contains("moby-dick", Assert.Throws<ArgumentException>(() => TextCorpus.LoadShipped("nope")).Message);
    }

    [Fact]
    public void Streams_continue_row_by_row_and_targets_are_the_next_characters()
    {
        var ids = Enumerable.Range(0, 41).ToArray(); // 2 streams of 20, chunks of 6 → 3 batches
        var s = new CharStreams(ids, streams: 2, steps: 6);
        Assert.Equal(3, s.Count);
        var (x0, y0) = s.GetBatch([0]);
        var (x1, _) = s.GetBatch([1]);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5, 20, 21, 22, 23, 24, 25 }, x0.ToArray());
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 21, 22, 23, 24, 25, 26 }, y0.ToArray());
        Assert.Equal(new float[] { 6, 7, 8, 9, 10, 11, 26, 27, 28, 29, 30, 31 }, x1.ToArray());
        Assert.Throws<ArgumentException>(() => s.GetBatch([0, 1]));
        Assert.Throws<ArgumentException>(() => new CharStreams(ids, 8, 6));
    }

    [Fact]
    public void A_stateful_layer_continues_where_the_last_call_ended_and_resets()
    {
        var g = new Generator(3);
        var plain = new GRU(3, 4, gen: g);
        var stateful = new GRU(3, 4, gen: new Generator(3)) { Stateful = true };
        var x = Tensor.Randn([2, 6, 3], g);
        var whole = plain.Call(x);
        stateful.Call(x.Slice(1, 0, 4).Contiguous());
        Close(whole.Slice(1, 4, 6).Contiguous(), stateful.Call(x.Slice(1, 4, 6).Contiguous()), 1e-6f);
        stateful.ResetState();
        Close(whole.Slice(1, 0, 4).Contiguous(), stateful.Call(x.Slice(1, 0, 4).Contiguous()), 0f);
        stateful.Eval(); // a switch to evaluation starts from zeros again
        Close(whole.Slice(1, 0, 4).Contiguous(), stateful.Call(x.Slice(1, 0, 4).Contiguous()), 0f);
        Assert.Contains("stateful=True", stateful.ToString());
        Assert.Throws<ArgumentException>(() => new LSTM(3, 4, bidirectional: true) { Stateful = true });
    }

    [Fact]
    public void Sampling_follows_the_softmax_and_temperature_zero_is_the_arg_max()
    {
        float[] logits = [0f, 1f, 2f];
        var g = new Generator(5);
        Assert.Equal(2, TextGeneration.Sample(logits, 0f, g));
        var counts = new int[3];
        for (int i = 0; i < 20_000; i++) counts[TextGeneration.Sample(logits, 1f, g)]++;
        double z = 1 + Math.E + Math.E * Math.E;
        for (int k = 0; k < 3; k++) Assert.InRange(counts[k] / 20_000.0, Math.Exp(k) / z - 0.015, Math.Exp(k) / z + 0.015);
        Assert.Throws<ArgumentException>(() => TextGeneration.Sample(logits, -1f, g));
    }

    [Fact]
    public void A_tiny_character_model_learns_a_repeating_text_and_writes_it()
    {
        var text = string.Concat(Enumerable.Repeat("abcd", 200));
        var vocab = CharVocabulary.FromText(text);
        var g = new Generator(7);
        var model = new Sequential(new Embedding(vocab.Size, 8, gen: g), new LSTM(8, 16, gen: g) { Stateful = true }, new Linear(16, vocab.Size, gen: g), new Flatten(0, 1));
        var task = new SupervisedTask(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.02f)) { MaxGradNorm = 5 };
        var loader = new DataLoader<(Tensor, Tensor)>(new CharStreams(vocab.Encode(text), 4, 16), 1);
        var h = Trainer.Fit(task, loader, loader, epochs: 8);
        Assert.True(h.Epochs[^1].ValLoss < 0.05f, $"held-out loss {h.Epochs[^1].ValLoss}");
        Assert.Equal("dabcdabcdabc", TextGeneration.Generate(model, vocab, "d", 11, 0f, new Generator(1)));
        var forgetful = new Sequential(new Embedding(vocab.Size, 8), new LSTM(8, 16), new Linear(16, vocab.Size), new Flatten(0, 1));
        Assert.Contains("stateful", Assert.Throws<ArgumentException>(() => TextGeneration.Generate(forgetful, vocab, "a", 3, 1f, new Generator(1))).Message);
    }

    [Fact]
    public void Time_limit_ends_the_epoch_at_the_batch_where_it_runs_out()
    {
        var model = new Sequential(new Linear(2, 2));
        var data = new TensorDataset(Tensor.Randn([64, 2], new Generator(1)), Tensor.Zeros(64));
        var batches = new CountBatches();
        var h = Trainer.Fit(model, new CrossEntropyLoss(), new SGD(model.Parameters(), 0.1f), new DataLoader(data, 8), new DataLoader(data, 64), 5, new TimeLimit(0), batches);
        Assert.Single(h.Epochs);
        Assert.Equal(1, batches.Count);
        Assert.NotNull(h.Epochs[0].ValLoss);
    }

    sealed class CountBatches : Callback
    {
        public int Count;
        public override void OnBatchEnd(TrainingContext ctx, BatchLogs logs) => Count++;
    }

    [Fact]
    public void Gradient_clipping_scales_non_contiguous_gradients_too()
    {
        var p = Tensor.Zeros(2, 2).RequireGrad();
        p.Grad = Tensor.FromArray([3f, 0f, 4f, 0f], 2, 2).Transpose(0, 1);
        float norm = GradClip.ClipNorm([p], 1f);
        Assert.Equal(5f, norm, 4);
        Close(new[] { 0.6f, 0.8f, 0f, 0f }, p.Grad!.Contiguous().ToArray(), 1e-5f);
    }
}
