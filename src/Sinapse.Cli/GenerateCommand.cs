using System.ComponentModel;
using Sinapse.Data;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary><c>sinapse generate --model RUN --prompt "Call me" --temperature 0.8 --length 300</c>: text from a trained character model.</summary>
internal sealed class GenerateCommand : Command<GenerateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <RUN_DIR>"), Description("Run folder written by 'sinapse train --model charlstm'.")]
        public string? Model { get; init; }

        [CommandOption("--prompt <TEXT>"), Description("Text to continue. Default: \"Call me\".")]
        public string Prompt { get; init; } = "Call me";

        [CommandOption("--temperature <T>"), Description("Sampling temperature: below 1 safer, above 1 wilder, 0 always the likeliest character. Default: 0.8.")]
        public float Temperature { get; init; } = 0.8f;

        [CommandOption("--length <N>"), Description("Characters to write after the prompt. Default: 300.")]
        public int Length { get; init; } = 300;

        [CommandOption("--seed <N>"), Description("Seed of the sampling. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        public override ValidationResult Validate()
        {
            if (Model == null) return ValidationResult.Error("--model RUN_DIR is required.");
            if (Prompt.Length == 0) return ValidationResult.Error("--prompt must not be empty.");
            if (!(Temperature >= 0) || !float.IsFinite(Temperature)) return ValidationResult.Error($"--temperature must be a number ≥ 0, got {Temperature}.");
            if (Length < 0) return ValidationResult.Error($"--length must be ≥ 0, got {Length}.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var (model, _) = RunFolder.LoadModel(s.Model!);
        var vocabPath = Path.Combine(s.Model!, CharModelTraining.VocabJson);
        if (!File.Exists(vocabPath)) throw new FileNotFoundException($"'{vocabPath}' not found: '{s.Model}' is not the run folder of a character model.", vocabPath);
        var vocab = CharVocabulary.FromJson(File.ReadAllText(vocabPath), vocabPath);
        foreach (var c in s.Prompt)
            if (!vocab.Contains(c)) throw new ArgumentException($"--prompt: character '{c}' never occurs in the training text, so the model cannot read it.");
        var text = TextGeneration.Generate(model, vocab, s.Prompt, s.Length, s.Temperature, new Generator(s.Seed));
        AnsiConsole.WriteLine(text);
        return 0;
    }
}
