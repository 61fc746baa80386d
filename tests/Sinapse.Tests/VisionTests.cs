using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Vision;

namespace Sinapse.Tests;

/// <summary>The course's image filters and the convolutional models of the CLI.</summary>
public class VisionTests
{
    [Fact]
    public void Filters_DoWhatTheirNamesSay()
    {
        // A horizontal ramp 0, 10, 20, … in two channels (the second scaled by 2), 6×7.
        var v = new float[2 * 6 * 7];
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 6; y++)
                for (int x = 0; x < 7; x++) v[(c * 6 + y) * 7 + x] = (c + 1) * 10f * x;
        var img = Tensor.FromArray(v, 1, 2, 6, 7);
        TestUtil.Close(img, ImageFilters.Apply(img, ImageFilters.Kernel("identity")));
        var sobel = ImageFilters.Apply(img, ImageFilters.Kernel("sobel-x")).ToArray();
        var blur = ImageFilters.Apply(img, ImageFilters.Kernel("box-blur")).ToArray();
        var edge = ImageFilters.Apply(img, ImageFilters.Kernel("edge-detect")).ToArray();
        for (int c = 0; c < 2; c++)
            for (int y = 1; y < 5; y++)
                for (int x = 1; x < 6; x++)
                {
                    int i = (c * 6 + y) * 7 + x;
                    Assert.Equal(8 * 10f * (c + 1), sobel[i], 3); // (1 + 2 + 1)·(x+1 − (x−1))·slope
                    Assert.Equal(v[i], blur[i], 3);               // a linear ramp is its own local mean
                    Assert.Equal(0f, edge[i], 3);                  // the Laplacian of a ramp is zero
                }
        Assert.Equal(9, ImageFilters.All.Count);
        Assert.Contains("known: identity", Assert.Throws<ArgumentException>(() => ImageFilters.Kernel("blur")).Message);
    }

    [Theory]
    [InlineData("lenet", "(2, 6, 28, 28)", "(2, 16, 5, 5)", 61_706)]
    [InlineData("cnn", "(2, 32, 28, 28)", "(2, 64, 7, 7)", 421_738)]
    public void CliModels_HaveTheirShapes_AndRebuildFromModelJson(string name, string first, string last, long parameters)
    {
        var spec = ModelSpec.Parse(name, [1, 28, 28], 10);
        var model = spec.Build(new Generator(1));
        var summary = model.Summary(2, 1, 28, 28);
        Assert.Contains(first, summary); Assert.Contains(last, summary); Assert.Contains("(2, 10)", summary);
        Assert.Equal(parameters, model.Parameters().Sum(p => (long)p.Numel));
        Assert.Equal(spec.ToJson(), ModelSpec.FromJson(spec.ToJson()).ToJson());
        Assert.Equal(model.StateDict().Sum(p => (long)p.Value.Numel), spec.Values());
    }
}
