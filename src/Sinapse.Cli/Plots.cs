using Sinapse.Training;

namespace Sinapse.Cli;

/// <summary>PNG plots of a training run (ScottPlot).</summary>
internal static class Plots
{
    /// <summary>Training and validation loss per epoch.</summary>
    public static void Loss(History history, string path)
    {
        var plt = new ScottPlot.Plot();
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var train = plt.Add.Scatter(epochs, history.Epochs.Select(e => (double)e.Loss).ToArray());
        train.LegendText = "training loss";
        if (history.Epochs.All(e => e.ValLoss.HasValue))
        {
            var val = plt.Add.Scatter(epochs, history.Epochs.Select(e => (double)e.ValLoss!.Value).ToArray());
            val.LegendText = "validation loss";
        }
        plt.Title("Loss per epoch");
        plt.XLabel("epoch");
        plt.YLabel("cross-entropy");
        plt.ShowLegend();
        var tmp = path + ".tmp.png";
        plt.SavePng(tmp, 800, 500);
        File.Move(tmp, path, overwrite: true);
    }
}
