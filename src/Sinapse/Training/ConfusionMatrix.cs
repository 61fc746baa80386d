using System.Text;

namespace Sinapse.Training;

/// <summary>Counts of (actual class, predicted class) pairs; rows are actual, columns predicted.</summary>
public sealed class ConfusionMatrix
{
    public int Classes { get; }
    public int[,] Counts { get; }

    public ConfusionMatrix(int classes, int[] predicted, int[] actual)
    {
        if (predicted.Length != actual.Length) throw new ArgumentException($"ConfusionMatrix: {predicted.Length} predictions for {actual.Length} labels.");
        Classes = classes;
        Counts = new int[classes, classes];
        for (int i = 0; i < predicted.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classes || (uint)predicted[i] >= (uint)classes)
                throw new ArgumentException($"ConfusionMatrix: class {actual[i]} / {predicted[i]} at {i} is outside [0, {classes}).");
            Counts[actual[i], predicted[i]]++;
        }
    }

    public int Total { get { int s = 0; foreach (var c in Counts) s += c; return s; } }

    /// <summary>Fraction on the diagonal.</summary>
    public float Accuracy { get { int d = 0; for (int i = 0; i < Classes; i++) d += Counts[i, i]; return Total == 0 ? 0 : d / (float)Total; } }

    /// <summary>Of the samples predicted as c, the fraction that are c.</summary>
    public float Precision(int c) { int col = 0; for (int i = 0; i < Classes; i++) col += Counts[i, c]; return col == 0 ? 0 : Counts[c, c] / (float)col; }

    /// <summary>Of the samples of class c, the fraction predicted as c.</summary>
    public float Recall(int c) { int row = 0; for (int j = 0; j < Classes; j++) row += Counts[c, j]; return row == 0 ? 0 : Counts[c, c] / (float)row; }

    /// <summary>Samples of class c (the row sum).</summary>
    public int Support(int c) { int row = 0; for (int j = 0; j < Classes; j++) row += Counts[c, j]; return row; }

    /// <summary>Harmonic mean of precision and recall of class c (0 when both are 0).</summary>
    public float F1(int c) { float p = Precision(c), r = Recall(c); return p + r == 0 ? 0 : 2 * p * r / (p + r); }

    /// <summary>Unweighted mean over classes of <paramref name="metric"/> (macro average).</summary>
    public float Macro(Func<int, float> metric) => (float)Enumerable.Range(0, Classes).Average(c => (double)metric(c));

    /// <summary>Mean over classes of <paramref name="metric"/> weighted by each class's support (weighted average).</summary>
    public float Weighted(Func<int, float> metric) =>
        Total == 0 ? 0 : (float)(Enumerable.Range(0, Classes).Sum(c => (double)metric(c) * Support(c)) / Total);

    /// <summary>
    /// A Markdown table of precision, recall, F1 and support per class, then the macro and weighted averages;
    /// <paramref name="names"/> label the classes (default: their indices).
    /// </summary>
    public string Report(IReadOnlyList<string>? names = null)
    {
        var sb = new StringBuilder("| class | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n");
        for (int c = 0; c < Classes; c++)
            sb.Append($"| {(names != null ? names[c] : c.ToString())} | {Precision(c):F3} | {Recall(c):F3} | {F1(c):F3} | {Support(c)} |\n");
        sb.Append($"| macro average | {Macro(Precision):F3} | {Macro(Recall):F3} | {Macro(F1):F3} | {Total} |\n");
        sb.Append($"| weighted average | {Weighted(Precision):F3} | {Weighted(Recall):F3} | {Weighted(F1):F3} | {Total} |\n");
        sb.Append($"\naccuracy {Accuracy:F4} ({Total} samples)\n");
        return sb.ToString();
    }

    public override string ToString()
    {
        var sb = new StringBuilder("actual\\pred");
        for (int j = 0; j < Classes; j++) sb.Append(j.ToString().PadLeft(6));
        sb.AppendLine();
        for (int i = 0; i < Classes; i++)
        {
            sb.Append(i.ToString().PadLeft(11));
            for (int j = 0; j < Classes; j++) sb.Append(Counts[i, j].ToString().PadLeft(6));
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
