using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// A lookup table of learned vectors, one per token id: the input layer of a language model. Weight initialised
/// N(0, 1) like PyTorch; the row at <see cref="PaddingIdx"/>, if any, starts at zero and gets no gradient.
/// </summary>
/// <remarks>Shape: indices (…) of whole numbers in [0, num_embeddings) → (…, embedding_dim). Weight (num_embeddings, embedding_dim).</remarks>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public int NumEmbeddings { get; }
    public int EmbeddingDim { get; }
    public int? PaddingIdx { get; }
    public Tensor Weight { get; }

    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, Generator? gen = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentException($"Embedding: num_embeddings {numEmbeddings} and embedding_dim {embeddingDim} must be positive.");
        if (paddingIdx is int p && (p < 0 || p >= numEmbeddings))
            throw new ArgumentException($"Embedding: padding_idx {p} is outside 0…{numEmbeddings - 1}.");
        (NumEmbeddings, EmbeddingDim, PaddingIdx) = (numEmbeddings, embeddingDim, paddingIdx);
        var w = Tensor.Randn([numEmbeddings, embeddingDim], gen);
        if (paddingIdx is int pad) w.Slice(0, pad, pad + 1).CopyFrom(Tensor.Zeros(1, embeddingDim));
        Weight = RegisterParameter("weight", w);
    }

    public override Tensor Forward(Tensor input) => Tensor.Embedding(input, Weight, PaddingIdx);

    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (PaddingIdx is int p ? $", padding_idx={p}" : "");

    public override LayerSpec Describe()
    {
        var args = new Dictionary<string, double> { ["num_embeddings"] = NumEmbeddings, ["embedding_dim"] = EmbeddingDim };
        if (PaddingIdx is int p) args["padding_idx"] = p;
        return new LayerSpec("Embedding", args);
    }
}
