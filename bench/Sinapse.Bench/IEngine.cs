namespace Sinapse.Bench;

/// <summary>What every workload needs besides its name.</summary>
/// <param name="Timing">Warm-up and repetition policy of the timed workloads (W1–W6).</param>
/// <param name="Quick">Shortened runs for development and CI: MEM 300 steps, TTA 1 epoch on 6,000 images.</param>
/// <param name="DataDir">MNIST folder for TTA, or null to search for data/mnist.</param>
/// <param name="BudgetSeconds">TTA-CHAR's training budget, or null for its default.</param>
public sealed record RunSettings(Timing Timing, bool Quick, string? DataDir, double? BudgetSeconds = null);

/// <summary>One library under test. Both engines implement every workload of WORKLOADS.md the same way.</summary>
public interface IEngine
{
    void SetThreads(int n);

    /// <summary>Runs <paramref name="workload"/>, yielding (case, value, unit) as each result becomes known.</summary>
    IEnumerable<(string Name, double Value, string Unit)> Run(string workload, RunSettings settings);
}
