using System.Text;

namespace Sinapse.Layers;

/// <summary>Keras-style summary table of a model.</summary>
public static class ModuleSummary
{
    /// <summary>
    /// A table of layers with output shapes and parameter counts for an input of shape <paramref name="inputShape"/>
    /// (including the batch dimension), plus the total. Runs one forward pass without gradients in eval mode.
    /// </summary>
    public static string Summary(this Module<Tensor, Tensor> model, params int[] inputShape)
    {
        var rows = new List<(string Layer, string Shape, long Params)>();
        bool wasTraining = model.Training;
        model.Eval();
        using (Autograd.NoGrad()) model.Trace(Tensor.Zeros(inputShape), rows, "");
        model.Train(wasTraining);
        var total = model.ParameterCount();
        int w0 = Math.Max(20, rows.Max(r => r.Layer.Length) + 2), w1 = Math.Max(16, rows.Max(r => r.Shape.Length) + 2);
        var sb = new StringBuilder();
        string line = new('-', w0 + w1 + 12);
        sb.AppendLine(line).Append("Layer".PadRight(w0)).Append("Output shape".PadRight(w1)).AppendLine("Param #".PadLeft(12)).AppendLine(line);
        foreach (var r in rows) sb.Append(r.Layer.PadRight(w0)).Append(r.Shape.PadRight(w1)).AppendLine(r.Params.ToString("N0").PadLeft(12));
        sb.AppendLine(line).Append("Total params: ").AppendLine(total.ToString("N0"));
        sb.Append("Trainable params: ").AppendLine(model.Parameters().Where(p => p.RequiresGrad).Sum(p => (long)p.Numel).ToString("N0"));
        return sb.Append(line).ToString();
    }
}
