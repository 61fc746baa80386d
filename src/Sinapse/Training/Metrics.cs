namespace Sinapse.Training;

/// <summary>
/// Scores of predictions against the truth: the area under the ROC curve for a binary classifier, and RMSE, MAE, R²
/// and prediction intervals for regression (the interval ±z·σ, σ² the validation MSE, as for normal errors).
/// </summary>
public static class Metrics
{
    /// <summary>
    /// Area under the ROC curve of <paramref name="scores"/> (higher means class 1) against 0/1
    /// <paramref name="labels"/>: the probability that a random positive outscores a random negative, ties counting
    /// half (the Mann–Whitney statistic).
    /// </summary>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<int> labels)
    {
        if (scores.Length != labels.Length) throw new ArgumentException($"RocAuc: {scores.Length} scores for {labels.Length} labels.");
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var s = scores.ToArray();
        Array.Sort(order, (a, b) => s[a].CompareTo(s[b]));
        long positives = 0, negatives = 0;
        double rankSum = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j < order.Length && s[order[j]] == s[order[i]]) j++;
            double rank = (i + 1 + j) / 2.0; // mean 1-based rank of the tied run
            for (int k = i; k < j; k++)
                if (labels[order[k]] == 1) { positives++; rankSum += rank; }
                else if (labels[order[k]] == 0) negatives++;
                else throw new ArgumentException($"RocAuc: labels must be 0 or 1, got {labels[order[k]]}.");
            i = j;
        }
        if (positives == 0 || negatives == 0) throw new ArgumentException("RocAuc: needs both classes among the labels.");
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    public static double Mse(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        Check(predicted, actual);
        double s = 0;
        for (int i = 0; i < actual.Length; i++) s += (double)(predicted[i] - actual[i]) * (predicted[i] - actual[i]);
        return s / actual.Length;
    }

    public static double Rmse(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual) => Math.Sqrt(Mse(predicted, actual));

    public static double Mae(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        Check(predicted, actual);
        double s = 0;
        for (int i = 0; i < actual.Length; i++) s += Math.Abs(predicted[i] - actual[i]);
        return s / actual.Length;
    }

    /// <summary>Coefficient of determination, 1 − SS_res / SS_tot (1 is perfect, 0 is predicting the mean).</summary>
    public static double R2(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        Check(predicted, actual);
        double mean = 0;
        foreach (var a in actual) mean += a;
        mean /= actual.Length;
        double res = 0, tot = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            res += (double)(predicted[i] - actual[i]) * (predicted[i] - actual[i]);
            tot += (actual[i] - mean) * (actual[i] - mean);
        }
        return tot == 0 ? double.NaN : 1 - res / tot;
    }

    /// <summary>The half-width z·σ of a prediction interval with σ = √<paramref name="validationMse"/>; z = 1.96 gives 95% for normal errors.</summary>
    public static double IntervalHalfWidth(double validationMse, double z = 1.96) => z * Math.Sqrt(validationMse);

    /// <summary>Share of <paramref name="actual"/> inside [lower, upper].</summary>
    public static double Coverage(ReadOnlySpan<float> lower, ReadOnlySpan<float> upper, ReadOnlySpan<float> actual)
    {
        int inside = 0;
        for (int i = 0; i < actual.Length; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
        return inside / (double)actual.Length;
    }

    /// <summary>Share of <paramref name="actual"/> within ± <paramref name="halfWidth"/> of <paramref name="predicted"/>.</summary>
    public static double Coverage(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual, double halfWidth)
    {
        Check(predicted, actual);
        int inside = 0;
        for (int i = 0; i < actual.Length; i++) if (Math.Abs(actual[i] - predicted[i]) <= halfWidth) inside++;
        return inside / (double)actual.Length;
    }

    static void Check(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length) throw new ArgumentException($"{predicted.Length} predictions for {actual.Length} values.");
        if (actual.Length == 0) throw new ArgumentException("No values to score.");
    }
}
