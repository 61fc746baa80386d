namespace Sinapse.Data;

/// <summary>
/// Seeded index splits for validation: a train/test split and k folds, stratified when labels are given (each class is
/// shuffled on its own and dealt to the parts in turn, so every part keeps the class proportions to within one sample).
/// </summary>
public static class Folds
{
    /// <summary>
    /// <paramref name="k"/> disjoint folds covering 0 … n−1 (sizes differ by at most one per class); fold i is the
    /// test part of round i of k-fold cross-validation.
    /// </summary>
    public static int[][] KFold(int n, int k, ulong seed, int[]? labels = null)
    {
        if (k < 2) throw new ArgumentOutOfRangeException(nameof(k), k, "KFold: at least 2 folds.");
        if (k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"KFold: {k} folds of {n} samples; each fold needs at least one.");
        var folds = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        int next = 0;
        foreach (var group in Groups(n, seed, labels))
            foreach (var i in group) { folds[next].Add(i); next = (next + 1) % k; }
        return folds.Select(f => f.Order().ToArray()).ToArray();
    }

    /// <summary>The rows of every fold but <paramref name="test"/>: round <paramref name="test"/>'s training part.</summary>
    public static int[] Rest(int[][] folds, int test) => folds.Where((_, i) => i != test).SelectMany(f => f).Order().ToArray();

    /// <summary>
    /// A split of 0 … n−1 with round(<paramref name="testFraction"/>·n) rows in the test part (per class, when stratified:
    /// round(fraction · class size) of each).
    /// </summary>
    public static (int[] Train, int[] Test) Split(int n, float testFraction, ulong seed, int[]? labels = null)
    {
        if (testFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "Split: the test fraction must be in (0, 1).");
        var train = new List<int>(); var test = new List<int>();
        foreach (var group in Groups(n, seed, labels))
        {
            int m = (int)Math.Round(testFraction * group.Length);
            test.AddRange(group[..m]); train.AddRange(group[m..]);
        }
        if (train.Count == 0 || test.Count == 0)
            throw new ArgumentException($"Split: {n} samples with test fraction {testFraction} leave an empty part.");
        return (train.Order().ToArray(), test.Order().ToArray());
    }

    /// <summary>The indices shuffled: one group, or one group per class in class order.</summary>
    static IEnumerable<int[]> Groups(int n, ulong seed, int[]? labels)
    {
        var gen = new Generator(seed);
        if (labels == null) { yield return gen.Permutation(n); yield break; }
        if (labels.Length != n) throw new ArgumentException($"Folds: {labels.Length} labels for {n} samples.");
        foreach (var c in labels.Distinct().Order())
        {
            var members = Enumerable.Range(0, n).Where(i => labels[i] == c).ToArray();
            var order = gen.Permutation(members.Length);
            yield return order.Select(j => members[j]).ToArray();
        }
    }
}
