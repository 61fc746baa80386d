using System.Text.Json;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Tests.Support;
using Sinapse.Unsupervised;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

public class PcaTests
{
    [Fact]
    public void Pca_FindsKnownAxes_AndReconstructsExactlyAtFullRank()
    {
        // Rows spread 3 : 1 : 0 along the axes (1, 1, 0)/√2, (1, −1, 0)/√2 and (0, 0, 1), shifted by (5, −2, 1).
        var g = new Generator(4);
        int n = 2000;
        var x = new float[n * 3];
        for (int r = 0; r < n; r++)
        {
            float a = 3 * g.NextNormal(), b = g.NextNormal();
            x[r * 3] = 5 + (a + b) / MathF.Sqrt(2); x[r * 3 + 1] = -2 + (a - b) / MathF.Sqrt(2); x[r * 3 + 2] = 1;
        }
        var t = Tensor.FromArray(x, n, 3);
        var pca = new Pca(2).Fit(t);
        var c = pca.Components.ToArray();
        Assert.Equal(1.0, Math.Abs(c[0] + c[1]) / Math.Sqrt(2), 3); // first component ∥ (1, 1, 0)
        Assert.Equal(1.0, Math.Abs(c[3] - c[4]) / Math.Sqrt(2), 3); // second ∥ (1, −1, 0)
        Assert.InRange(pca.Variance[0], 8, 10);
        Assert.InRange(pca.Variance[1], 0.8, 1.2);
        Assert.True(pca.ReconstructionError(t) < 1e-8); // the data has rank 2 around its mean
        Assert.True(new Pca(1).Fit(t).ReconstructionError(t) > 0.3);
    }

    [Fact]
    public void Unflatten_SplitsADimension_AndRebuildsFromModelJson()
    {
        var u = new Unflatten(1, 2, 3);
        Assert.Equal([4, 2, 3, 5], u.Call(Tensor.Zeros(4, 6, 5)).Shape);
        Assert.Throws<ArgumentException>(() => u.Call(Tensor.Zeros(4, 7)));
        var model = new Sequential(new Flatten(), new Unflatten(1, 3, 2));
        var spec = ModelSpec.Of(model, [3, 2]);
        var rebuilt = ModelSpec.FromJson(spec.ToJson()).Build(new Generator(1));
        Assert.Equal([5, 3, 2], rebuilt.Call(Tensor.Zeros(5, 3, 2)).Shape);
    }
}

[Collection(nameof(ProcessWideCollection))]
public class CliAutoencoderTests
{
    [Fact]
    public void ConvAutoencoder_BeatsPca32_AfterOneEpoch()
    {
        var dir = Temp();
        var (code, output, err) = Run("train", "--model", "autoencoder:conv", "--epochs", "1", "--out", dir);
        Assert.True(code == 0, err);
        using var m = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
        double ae = m.RootElement.GetProperty("test_mse").GetDouble(), pca = m.RootElement.GetProperty("pca_test_mse").GetDouble();
        Assert.True(ae < pca, $"autoencoder {ae}, PCA-32 {pca}");
        Assert.True(File.Exists(Path.Combine(dir, "recon.png")));
        var (model, _) = RunFolder(dir);
        Assert.Equal([2, 784], model.Call(Tensor.Zeros(2, 1, 28, 28)).Shape);
    }

    [Fact]
    public void DenoisingDenseAutoencoder_WithATwoDimensionalCode_DrawsItsCodes()
    {
        var dir = Temp();
        var (code, _, err) = Run("train", "--model", "autoencoder", "--code", "2", "--noise", "0.3", "--epochs", "1", "--out", dir);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(dir, "codes.png")));
    }

    static (Sequential, ModelSpec) RunFolder(string dir) => ModelSpec.LoadModel(Path.Combine(dir, "model.json"), Path.Combine(dir, "model.safetensors"));
}
