using SkiaSharp;

namespace Sinapse.Cli;

/// <summary>
/// Decodes PNG, JPEG, GIF, BMP and WebP images. The header is read first: an image whose declared size exceeds
/// <see cref="MaxPixels"/> is refused before its pixels are allocated, and a truncated or corrupt one raises
/// <see cref="InvalidDataException"/> naming the file.
/// </summary>
internal static class ImageFile
{
    /// <summary>Largest image decoded (4096 × 4096): its pixels take 64 MiB.</summary>
    public const long MaxPixels = 4096L * 4096;

    public static SKBitmap Decode(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Image '{path}' not found.", path);
        using var codec = SKCodec.Create(path, out var result)
            ?? throw new InvalidDataException($"Image '{path}' could not be decoded ({result}); expected a PNG, JPEG, GIF, BMP or WebP file.");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > MaxPixels)
            throw new InvalidDataException($"Image '{path}': {info.Width}×{info.Height} pixels; expected at least 1×1 and at most {MaxPixels:N0} pixels.");
        var bmp = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var got = codec.GetPixels(bmp.Info, bmp.GetPixels());
        if (got is not SKCodecResult.Success)
        {
            bmp.Dispose();
            throw new InvalidDataException($"Image '{path}' is truncated or corrupt ({got}).");
        }
        return bmp;
    }
}
