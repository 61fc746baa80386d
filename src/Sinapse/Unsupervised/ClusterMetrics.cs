namespace Sinapse.Unsupervised;

/// <summary>
/// How well clusters match known classes: purity (each cluster counted as its most common class) and the adjusted Rand
/// index (Hubert &amp; Arabie 1985: agreement on pairs of rows, 1 for identical partitions, about 0 for random ones, whatever
/// the cluster count).
/// </summary>
public static class ClusterMetrics
{
    /// <summary>Counts of (cluster, class) pairs.</summary>
    public static Dictionary<(int Cluster, int Class), long> Contingency(ReadOnlySpan<int> clusters, ReadOnlySpan<int> classes)
    {
        if (clusters.Length != classes.Length) throw new ArgumentException($"ClusterMetrics: {clusters.Length} cluster labels for {classes.Length} classes.");
        var table = new Dictionary<(int, int), long>();
        for (int i = 0; i < clusters.Length; i++) table[(clusters[i], classes[i])] = table.GetValueOrDefault((clusters[i], classes[i])) + 1;
        return table;
    }

    /// <summary>Σ over clusters of the count of its most common class, divided by the rows.</summary>
    public static double Purity(ReadOnlySpan<int> clusters, ReadOnlySpan<int> classes)
    {
        var table = Contingency(clusters, classes);
        return table.GroupBy(e => e.Key.Cluster).Sum(g => g.Max(e => e.Value)) / (double)clusters.Length;
    }

    /// <summary>The adjusted Rand index: (RI − E[RI]) / (max RI − E[RI]) over pairs of rows.</summary>
    public static double AdjustedRandIndex(ReadOnlySpan<int> clusters, ReadOnlySpan<int> classes)
    {
        var table = Contingency(clusters, classes);
        static double Pairs(long m) => m * (m - 1) / 2.0;
        double index = table.Values.Sum(Pairs);
        double a = table.GroupBy(e => e.Key.Cluster).Sum(g => Pairs(g.Sum(e => e.Value)));
        double b = table.GroupBy(e => e.Key.Class).Sum(g => Pairs(g.Sum(e => e.Value)));
        double total = Pairs(clusters.Length), expected = a * b / total, max = (a + b) / 2;
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }
}
