namespace Sinapse;

/// <summary>Shape arithmetic shared by all ops: element counts, strides, broadcasting, axis normalisation, messages.</summary>
internal static class ShapeUtil
{
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Str(shape)} has a negative dimension.");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"Shape {Str(shape)} has more than {int.MaxValue} elements.");
        }
        return (int)n;
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= Math.Max(shape[i], 1); }
        return s;
    }

    public static bool IsContiguous(int[] shape, int[] strides)
    {
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (strides[i] != acc) return false;
            acc *= shape[i];
        }
        return true;
    }

    public static string Str(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString();
        return "(" + string.Join(", ", parts) + (shape.Length == 1 ? ",)" : ")");
    }

    public static int Axis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1) || (rank == 0 && a != 0))
            throw new ArgumentException($"{op}: dimension {axis} is out of range for a tensor of rank {rank}.");
        return a;
    }

    public static void CheckSame(string op, int[] a, int[] b)
    {
        if (!a.AsSpan().SequenceEqual(b))
            throw new ArgumentException($"{op}: shapes {Str(a)} and {Str(b)} must be equal.");
    }

    /// <summary>The broadcast shape of two shapes (NumPy rules), or an error naming the op and both shapes.</summary>
    public static int[] Broadcast(int[] a, int[] b, string op)
    {
        int r = Math.Max(a.Length, b.Length);
        var o = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i < r - a.Length ? 1 : a[i - (r - a.Length)];
            int db = i < r - b.Length ? 1 : b[i - (r - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Str(a)} and {Str(b)} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            o[i] = da == 1 ? db : da;
        }
        return o;
    }

    /// <summary>Strides that read tensor <paramref name="t"/> as if it had shape <paramref name="target"/> (0 on broadcast dimensions).</summary>
    public static int[] BroadcastStrides(Tensor t, int[] target)
    {
        var s = new int[target.Length];
        int lead = target.Length - t.Rank;
        for (int i = 0; i < target.Length; i++)
        {
            if (i < lead) { s[i] = 0; continue; }
            int d = t.shape[i - lead];
            s[i] = d == 1 && target[i] != 1 ? 0 : t.strides[i - lead];
        }
        return s;
    }

    public static int[] NormalizeAxes(int[]? axes, int rank, string op)
    {
        if (axes == null || axes.Length == 0) return Enumerable.Range(0, rank).ToArray();
        var r = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) r[i] = Axis(axes[i], rank, op);
        Array.Sort(r);
        for (int i = 1; i < r.Length; i++)
            if (r[i] == r[i - 1]) throw new ArgumentException($"{op}: dimension {r[i]} is listed twice.");
        return r;
    }
}
