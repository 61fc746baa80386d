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

    [Fact]
    public void Augmentation_ShiftsFlipsAndRotates_Seeded_AndThreadCountFree()
    {
        // One bright pixel per sample at (3, 4) of a 9×9 image, background −1.
        int n = 64;
        var v = Enumerable.Repeat(-1f, n * 81).ToArray();
        for (int i = 0; i < n; i++) v[i * 81 + 3 * 9 + 4] = 5f;
        var x = Tensor.FromArray(v, n, 1, 9, 9);

        var shifted = new ImageAugmentation(maxShift: 2, fill: -1f, seed: 1).Apply(x).ToArray();
        var seen = new HashSet<(int, int)>();
        for (int i = 0; i < n; i++)
        {
            var plane = shifted.AsSpan(i * 81, 81).ToArray();
            Assert.Equal(1, plane.Count(p => p == 5f));                 // moved whole, not blurred
            Assert.Equal(80, plane.Count(p => p == -1f));               // the fill comes in from the edge
            int at = Array.IndexOf(plane, 5f);
            int dy = at / 9 - 3, dx = at % 9 - 4;
            Assert.InRange(dy, -2, 2); Assert.InRange(dx, -2, 2);
            seen.Add((dy, dx));
        }
        Assert.True(seen.Count > 10, $"{seen.Count} distinct shifts in {n} samples");

        // Mirroring: a pixel at column 2 is either still there or at column 6, in about half the samples.
        var u = Enumerable.Repeat(-1f, n * 81).ToArray();
        for (int i = 0; i < n; i++) u[i * 81 + 3 * 9 + 2] = 5f;
        var flipped = new ImageAugmentation(maxShift: 0, horizontalFlip: true, fill: -1f, seed: 2).Apply(Tensor.FromArray(u, n, 1, 9, 9)).ToArray();
        int mirrored = 0;
        for (int i = 0; i < n; i++)
        {
            bool kept = flipped[i * 81 + 3 * 9 + 2] == 5f, moved = flipped[i * 81 + 3 * 9 + 6] == 5f;
            Assert.True(kept ^ moved, $"sample {i}");
            if (moved) mirrored++;
        }
        Assert.InRange(mirrored, 16, 48);

        // A rotation keeps the centre where it is and the mass roughly where it was.
        var c = Enumerable.Repeat(0f, 81).ToArray(); c[40] = 1f;
        var rotated = new ImageAugmentation(maxShift: 0, maxRotationDegrees: 30, seed: 3).Apply(Tensor.FromArray(c, 1, 1, 9, 9)).ToArray();
        Assert.Equal(1f, rotated[40], 4);

        float[] Run(int threads, ulong seed)
        {
            int was = Settings.Threads;
            try { Settings.Threads = threads; return new ImageAugmentation(2, 15, true, -1f, seed).Apply(x).ToArray(); }
            finally { Settings.Threads = was; }
        }
        Assert.Equal(Run(1, 7), Run(2, 7));
        Assert.NotEqual(Run(2, 7), Run(2, 8));
    }

    [Fact]
    public void DataLoader_AppliesItsTransformToEveryBatch()
    {
        var ds = new Data.TensorDataset(Tensor.Arange(8).Reshape(8, 1), Tensor.Arange(8));
        var loader = new Data.DataLoader(ds, 3) { Transform = b => (b.Input * 10f, b.Target) };
        Assert.Equal([0f, 10, 20, 30, 40, 50, 60, 70], loader.SelectMany(b => b.Input.ToArray()).ToArray());
        Assert.Equal([0f, 1, 2, 3, 4, 5, 6, 7], loader.SelectMany(b => b.Target.ToArray()).ToArray());
    }
}
