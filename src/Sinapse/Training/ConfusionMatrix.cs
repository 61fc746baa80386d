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
