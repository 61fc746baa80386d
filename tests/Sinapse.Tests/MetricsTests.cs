using Sinapse.Training;

namespace Sinapse.Tests;

public class MetricsTests
{
    [Fact]
    public void RocAuc_IsTheChanceAPositiveOutscoresANegative()
    {
        Assert.Equal(1.0, Metrics.RocAuc([0.1f, 0.2f, 0.8f, 0.9f], [0, 0, 1, 1]));
        Assert.Equal(0.0, Metrics.RocAuc([0.9f, 0.8f, 0.2f, 0.1f], [0, 0, 1, 1]));
        Assert.Equal(0.5, Metrics.RocAuc([0.5f, 0.5f, 0.5f, 0.5f], [0, 1, 0, 1]));
        // Pairs (positive, negative): (0.35, 0.1) ✓ (0.35, 0.4) ✗ (0.8, 0.1) ✓ (0.8, 0.4) ✓ → 3/4.
        Assert.Equal(0.75, Metrics.RocAuc([0.1f, 0.4f, 0.35f, 0.8f], [0, 0, 1, 1]));
        Assert.Throws<ArgumentException>(() => Metrics.RocAuc([0.1f, 0.2f], [1, 1]));
    }

    [Fact]
    public void RegressionScores_MatchHandComputedValues()
    {
        float[] actual = [1, 2, 3, 4], predicted = [1, 3, 3, 2];
        Assert.Equal(1.25, Metrics.Mse(predicted, actual));
        Assert.Equal(Math.Sqrt(1.25), Metrics.Rmse(predicted, actual));
        Assert.Equal(0.75, Metrics.Mae(predicted, actual));
        Assert.Equal(1 - 5.0 / 5.0, Metrics.R2(predicted, actual)); // SS_res 5, SS_tot 5
        Assert.Equal(1.0, Metrics.R2(actual, actual));
        Assert.Equal(0.75, Metrics.Coverage(predicted, actual, 1.0));
        Assert.Equal(1.96 * 2, Metrics.IntervalHalfWidth(4.0), 12);
    }

    [Fact]
    public void ClassificationReport_HasPrecisionRecallF1AndAverages()
    {
        // actual:    0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        var cm = new ConfusionMatrix(3, [0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 2]);
        Assert.Equal(1f, cm.Precision(0));
        Assert.Equal(2f / 3, cm.Recall(0), 6);
        Assert.Equal(0.8f, cm.F1(0), 6);
        Assert.Equal(0.5f, cm.F1(1), 6);
        Assert.Equal(2f / 3, cm.F1(2), 6);
        Assert.Equal((0.8f + 0.5f + 2f / 3) / 3, cm.Macro(cm.F1), 6);
        Assert.Equal((0.8f * 3 + 0.5f * 2 + 2f / 3) / 6, cm.Weighted(cm.F1), 6);
        var report = cm.Report(["cat", "dog", "horse"]);
        Assert.Contains("| cat | 1.000 | 0.667 | 0.800 | 3 |", report);
        Assert.Contains("| macro average |", report);
    }
}
