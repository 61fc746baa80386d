using Sinapse.Data;
using Sinapse.Layers;

namespace Sinapse.Training;

/// <summary>Sampling from a trained character model, one character at a time.</summary>
public static class TextGeneration
{
    /// <summary>
    /// Draws an index from softmax(logits / temperature): below 1 the distribution sharpens (safer, more repetitive
    /// text), above 1 it flattens; 0 takes the arg max.
    /// </summary>
    public static int Sample(ReadOnlySpan<float> logits, float temperature, Generator gen)
    {
        if (logits.Length == 0) throw new ArgumentException("Sample: no logits.");
        if (!(temperature >= 0) || !float.IsFinite(temperature)) throw new ArgumentException($"Sample: temperature {temperature} must be a finite number ≥ 0.");
        int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits);
        if (temperature == 0) return best;
        double max = logits[best], total = 0;
        Span<double> p = logits.Length <= 512 ? stackalloc double[logits.Length] : new double[logits.Length];
        for (int i = 0; i < p.Length; i++) total += p[i] = Math.Exp((logits[i] - max) / temperature);
        double u = gen.NextFloat() * total;
        for (int i = 0; i < p.Length; i++)
            if ((u -= p[i]) < 0) return i;
        return best;
    }

    /// <summary>
    /// Continues <paramref name="prompt"/> by <paramref name="length"/> characters. The model maps ids (1, T) to logits
    /// (T, vocabulary) and keeps its recurrent state between calls (<see cref="RecurrentLayer.Stateful"/>): the prompt
    /// is read once, then each drawn character is fed back.
    /// </summary>
    public static string Generate(Module<Tensor, Tensor> model, CharVocabulary vocab, string prompt, int length, float temperature, Generator gen)
    {
        if (prompt.Length == 0) throw new ArgumentException("Generate: the prompt is empty; give at least one character.");
        if (length < 0) throw new ArgumentException($"Generate: length {length} is negative.");
        if (!HasStatefulLayer(model))
            throw new ArgumentException("Generate: the model has no stateful recurrent layer, so it would forget each character as soon as it read it; build it with a RecurrentLayer whose Stateful is true.");
        var ids = vocab.Encode(prompt);
        bool wasTraining = model.Training;
        model.Eval();
        RecurrentLayer.ResetStates(model);
        var text = new System.Text.StringBuilder(prompt);
        try
        {
            using (Autograd.NoGrad())
            {
                var logits = model.Call(Tensor.FromArray(ids.Select(i => (float)i).ToArray(), 1, ids.Length));
                var last = logits.Select(0, logits.Shape[0] - 1).ToArray();
                for (int n = 0; n < length; n++)
                {
                    int next = Sample(last, temperature, gen);
                    text.Append(vocab.Symbols[next]);
                    last = model.Call(Tensor.FromArray([next], 1, 1)).ToArray();
                }
            }
        }
        finally
        {
            RecurrentLayer.ResetStates(model);
            model.Train(wasTraining);
        }
        return text.ToString();
    }

    static bool HasStatefulLayer(Module m) =>
        m is RecurrentLayer { Stateful: true } || m.NamedChildren().Any(c => HasStatefulLayer(c.Module));
}
