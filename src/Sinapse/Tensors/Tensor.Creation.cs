namespace Sinapse;

// Factories. Random ones take an optional Generator; without one they use Generator.Default.
public sealed partial class Tensor
{
    /// <summary>A tensor holding a copy of <paramref name="values"/> with the given shape (default: 1-D).</summary>
    public static Tensor FromArray(float[] values, params int[] shape)
    {
        if (shape.Length == 0) shape = [values.Length];
        return new Tensor((float[])values.Clone(), (int[])shape.Clone());
    }

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static Tensor FromArray(float[,] values)
    {
        int r = values.GetLength(0), c = values.GetLength(1);
        var d = new float[r * c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) d[i * c + j] = values[i, j];
        return new Tensor(d, [r, c]);
    }

    /// <summary>A rank-0 tensor holding one value.</summary>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>
    /// A new contiguous tensor whose values are undefined (like torch.empty): the output or scratch of an op that
    /// writes every element. Its storage is the engine's choice: pooled when the engine knows when it is last read
    /// (inside a module call or a backward pass), a plain array otherwise. Nothing to return or dispose.
    /// </summary>
    public static Tensor Empty(params int[] shape)
    {
        return Uninitialized((int[])shape.Clone());
    }

    public static Tensor Zeros(params int[] shape) => new((int[])shape.Clone());
    public static Tensor Ones(params int[] shape) => Full(shape, 1f);
    public static Tensor ZerosLike(Tensor t) => Zeros(t.shape);
    public static Tensor OnesLike(Tensor t) => Ones(t.shape);

    public static Tensor Full(int[] shape, float value)
    {
        var t = new Tensor((int[])shape.Clone());
        t.data.AsSpan().Fill(value);
        return t;
    }

    /// <summary>start, start+step, … below end (1-D).</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || (end - start) / step < 0) throw new ArgumentException($"Arange: no values from {start} to {end} with step {step}.");
        int n = (int)Math.Ceiling((end - start) / step);
        var d = new float[n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return new Tensor(d, [n]);
    }

    public static Tensor Arange(int end) => Arange(0, end);

    /// <summary><paramref name="count"/> evenly spaced values from start to end inclusive (1-D).</summary>
    public static Tensor Linspace(float start, float end, int count)
    {
        if (count < 0) throw new ArgumentException($"Linspace: count {count} is negative.");
        var d = new float[count];
        for (int i = 0; i < count; i++) d[i] = count == 1 ? start : start + (end - start) * i / (count - 1);
        return new Tensor(d, [count]);
    }

    /// <summary>The n×m identity (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null)
    {
        int c = m ?? n;
        var t = Zeros(n, c);
        for (int i = 0; i < Math.Min(n, c); i++) t.data[i * c + i] = 1f;
        return t;
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(int[] shape, Generator? gen = null) => Uniform(shape, 0f, 1f, gen);

    /// <summary>Uniform samples in [low, high).</summary>
    public static Tensor Uniform(int[] shape, float low, float high, Generator? gen = null)
    {
        gen ??= Generator.Default;
        var t = new Tensor((int[])shape.Clone());
        for (int i = 0; i < t.data.Length; i++) t.data[i] = low + (high - low) * gen.NextFloat();
        return t;
    }

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(int[] shape, Generator? gen = null) => Normal(shape, 0f, 1f, gen);

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Normal(int[] shape, float mean, float std, Generator? gen = null)
    {
        gen ??= Generator.Default;
        var t = new Tensor((int[])shape.Clone());
        for (int i = 0; i < t.data.Length; i++) t.data[i] = mean + std * gen.NextNormal();
        return t;
    }

    public static Tensor Rand(params int[] shape) => Rand(shape, null);
    public static Tensor Randn(params int[] shape) => Randn(shape, null);
}
