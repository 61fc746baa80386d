using System.ComponentModel;
using Sinapse.IO;
using Sinapse.IO.Onnx;
using Sinapse.Layers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse export --onnx RUN</c>: the run's model as RUN/model.onnx (opset 17), for ONNX Runtime or any ONNX
/// consumer; a model that starts with an embedding takes sequences of any length.
/// </summary>
internal sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--onnx <RUN>"), Description("Run folder (model.json and model.safetensors) to export as ONNX.")]
        public string? Onnx { get; init; }

        [CommandOption("--out <FILE>"), Description("The ONNX file. Default: RUN/model.onnx.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var run = s.Onnx ?? throw new ArgumentException("export: pass --onnx RUN, a run folder of 'sinapse train'.");
        var (model, spec) = RunFolder.LoadModel(run);
        int[] shape = model.Count > 0 && model[0] is Embedding ? [-1] : spec.InputShape;
        var path = s.Out ?? Path.Combine(run, "model.onnx");
        model.ExportOnnx(path, shape);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] exported {model.Count} layers, {model.ParameterCount():N0} parameters, input (N, {string.Join(", ", shape.Select(d => d > 0 ? d.ToString() : "T"))}) " +
            $"as ONNX opset {OnnxExport.Opset}: [blue]{Markup.Escape(Path.GetFullPath(path))}[/]");
        return 0;
    }
}

/// <summary>
/// <c>sinapse import FILE.onnx --out DIR</c>: an ONNX model of the exported op set as a run folder (model.json,
/// model.safetensors), which eval, predict and export read like any other.
/// </summary>
internal sealed class ImportCommand : Command<ImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>"), Description("The ONNX file.")]
        public string File { get; init; } = "";

        [CommandOption("--classes <N>"), Description("Number of classes the model scores (for model.json). Default: its output size when it ends with Linear.")]
        public int? Classes { get; init; }

        [CommandOption("--out <DIR>"), Description("Run folder to write. Default: runs/import-<date-time>.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var (model, shape) = OnnxImport.Load(s.File);
        var outDir = RunFolder.Choose(s.Out, "import");
        Directory.CreateDirectory(outDir);
        int classes = s.Classes ?? (model.Layers.LastOrDefault(l => l is Linear) is Linear last ? last.OutFeatures : 0);
        ModelSpec.Of(model, shape.Select(d => d > 0 ? d : 1).ToArray(), classes).Save(Path.Combine(outDir, RunFolder.ModelJson));
        model.Save(Path.Combine(outDir, RunFolder.Weights), new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "sinapse", ["source"] = Path.GetFileName(s.File) });
        AnsiConsole.WriteLine(model.ToString());
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] imported {model.Count} layers, {model.ParameterCount():N0} parameters from {Markup.Escape(s.File)} into [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }
}
