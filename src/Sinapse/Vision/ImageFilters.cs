namespace Sinapse.Vision;

/// <summary>
/// The classic fixed 3×3 image kernels (identity, sharpen, edge detection, blurs, Sobel, emboss): what a convolutional
/// layer's filters are before anything is learned. <see cref="Apply"/> runs one through <see cref="Tensor.Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/>
/// on every channel separately (groups = channels) with "same" padding.
/// </summary>
public static class ImageFilters
{
    /// <summary>The kernels by name, row-major 3×3.</summary>
    public static readonly IReadOnlyList<(string Name, float[] Kernel)> All =
    [
        ("identity", [0, 0, 0, 0, 1, 0, 0, 0, 0]),
        ("sharpen", [0, -1, 0, -1, 5, -1, 0, -1, 0]),
        ("edge-detect", [0, -1, 0, -1, 4, -1, 0, -1, 0]),
        ("strong-edge-detect", [-1, -1, -1, -1, 8, -1, -1, -1, -1]),
        ("box-blur", [1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f]),
        ("gaussian-blur", [1 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 4 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 1 / 16f]),
        ("sobel-x", [-1, 0, 1, -2, 0, 2, -1, 0, 1]),
        ("sobel-y", [-1, -2, -1, 0, 0, 0, 1, 2, 1]),
        ("emboss", [-2, -1, 0, -1, 1, 1, 0, 1, 2]),
    ];

    /// <summary>The kernel called <paramref name="name"/>.</summary>
    public static float[] Kernel(string name) =>
        All.FirstOrDefault(f => f.Name == name).Kernel ?? throw new ArgumentException($"Unknown filter '{name}'; known: {string.Join(", ", All.Select(f => f.Name))}.");

    /// <summary>
    /// Convolves every channel of <paramref name="image"/> with the 3×3 kernel (zero padding keeps the size).
    /// Shape: (N, C, H, W) → (N, C, H, W).
    /// </summary>
    public static Tensor Apply(Tensor image, float[] kernel)
    {
        if (kernel.Length != 9) throw new ArgumentException($"ImageFilters.Apply: a 3×3 kernel has 9 values, got {kernel.Length}.");
        if (image.Rank != 4) throw new ArgumentException($"ImageFilters.Apply: image must be (N, C, H, W), got {ShapeUtil.Str(image.Shape)}.");
        int c = image.Shape[1];
        var w = new float[c * 9];
        for (int i = 0; i < c; i++) kernel.CopyTo(w, i * 9);
        return Tensor.Conv2d(image, Tensor.FromArray(w, c, 1, 3, 3), null, stride: 1, padding: 1, groups: c);
    }
}
