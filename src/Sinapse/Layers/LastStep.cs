using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// The last time step of a batch-first sequence (PyTorch's <c>x[:, -1]</c>): what a sequence-to-one model reads
/// from its recurrent layer's output. For padded batches of different lengths the last position of a shorter
/// sequence is zeros; read the recurrent layer's final state h_n there instead.
/// </summary>
/// <remarks>Shape: (B, T, F) → (B, F).</remarks>
public sealed class LastStep : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 3) throw new ArgumentException($"LastStep: input must be (batch, time, features), got {ShapeUtil.Str(input.Shape)}.");
        return input.Select(1, input.Shape[1] - 1);
    }

    public override LayerSpec Describe() => new("LastStep");
}
