using Sinapse.Training;

namespace Sinapse.Cli;

/// <summary>PNG plots of a training run (ScottPlot).</summary>
internal static class Plots
{
    /// <summary>Held-out bits per character (validation cross-entropy / ln 2) per epoch.</summary>
    public static void BitsPerCharacter(History history, string path)
    {
        var plt = new ScottPlot.Plot();
        var done = history.Epochs.Where(e => e.ValLoss.HasValue).ToList();
        var line = plt.Add.Scatter(done.Select(e => (double)e.Epoch).ToArray(), done.Select(e => e.ValLoss!.Value / Math.Log(2)).ToArray());
        line.LegendText = "held-out bits per character";
        plt.Title("Character model: held-out bits per character");
        Save(plt, "epoch", "bits per character", path);
    }

    static void Save(ScottPlot.Plot plt, string x, string y, string path)
    {
        plt.XLabel(x);
        plt.YLabel(y);
        plt.ShowLegend();
        var tmp = path + ".tmp.png";
        plt.SavePng(tmp, 800, 500);
        File.Move(tmp, path, overwrite: true);
    }

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
        Save(plt, "epoch", "cross-entropy", path);
    }
}
