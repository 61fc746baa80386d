using System.Globalization;
using System.Text.Json;
using Sinapse.Training;

namespace Sinapse.Cli;

/// <summary>
/// settings.json of a training run: the options it was started with, so that <c>train --resume RUN</c> continues it with
/// exactly the same model, data, optimizer, schedule and seed; and the resumable checkpoint beside it.
/// </summary>
internal static class RunSettings
{
    public static void Save(TrainCommand.Settings s, string dir)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("model", s.Model);
            if (s.Data != null) w.WriteString("data", s.Data);
            w.WriteNumber("epochs", s.Epochs);
            if (s.EpochsOption is int e) w.WriteNumber("epochs_option", e);
            if (s.BatchSizeOption is int b) w.WriteNumber("batch_size", b);
            // A GAN run keeps its rates, so a run resumes with them whatever the defaults become.
            if (s.LearningRateOption is float lr || s.IsGan) w.WriteString("lr", s.LearningRate.ToString("R", CultureInfo.InvariantCulture));
            if (s.MinutesOption is double m) w.WriteString("minutes", m.ToString("R", CultureInfo.InvariantCulture));
            w.WriteString("optimizer", s.Optimizer);
            if (s.ScheduleOption != null) w.WriteString("schedule", s.ScheduleOption);
            w.WriteString("seed", s.Seed.ToString(CultureInfo.InvariantCulture));
            w.WriteString("val_split", s.ValSplit.ToString("R", CultureInfo.InvariantCulture));
            if (s.Augment != null) w.WriteString("augment", s.Augment);
            if (s.Target != null) w.WriteString("target", s.Target);
            if (s.Task != null) w.WriteString("task", s.Task);
            w.WriteString("weight_decay", s.WeightDecay.ToString("R", CultureInfo.InvariantCulture));
            w.WriteString("dropout", s.Dropout.ToString("R", CultureInfo.InvariantCulture));
            w.WriteString("l1", s.L1.ToString("R", CultureInfo.InvariantCulture));
            if (s.MaxNorm is float c) w.WriteString("max_norm", c.ToString("R", CultureInfo.InvariantCulture));
            if (s.IsGan) w.WriteString("discriminator_lr", s.DiscriminatorRate.ToString("R", CultureInfo.InvariantCulture));
            if (s.IsGan) w.WriteNumber("generator_steps", s.GeneratorSteps);
            if (s.IsGan) w.WriteString("ema", s.Ema.ToString("R", CultureInfo.InvariantCulture));
            if (s.Model == "infogan") w.WriteString("info_weight", s.InfoWeight.ToString("R", CultureInfo.InvariantCulture));
            if (s.Model.StartsWith("autoencoder")) { w.WriteNumber("code", s.Code); w.WriteString("noise", s.Noise.ToString("R", CultureInfo.InvariantCulture)); }
            w.WriteEndObject();
        }
        RunFolder.WriteText(Path.Combine(dir, RunFolder.SettingsJson), System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }

    /// <summary>
    /// The settings of the run in <paramref name="dir"/>, writing to that folder again; --threads from
    /// <paramref name="now"/>, and --epochs too when given there (to train a finished run further).
    /// </summary>
    public static TrainCommand.Settings Load(string dir, TrainCommand.Settings now)
    {
        var path = Path.Combine(dir, RunFolder.SettingsJson);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--resume: run folder '{dir}' not found.");
        if (!File.Exists(path)) throw new FileNotFoundException($"--resume: '{path}' not found; resume needs a run folder written by 'sinapse train'.", path);
        if (!File.Exists(Path.Combine(dir, RunFolder.Checkpoint)))
            throw new FileNotFoundException($"--resume: '{Path.Combine(dir, RunFolder.Checkpoint)}' not found: the run ended before its first epoch did, so there is nothing to resume.");
        JsonElement root;
        try { root = JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone(); }
        catch (JsonException e) { throw new InvalidDataException($"--resume: '{path}' is not valid JSON: {e.Message}"); }
        string? Str(string k) => root.TryGetProperty(k, out var v) ? v.GetString() : null;
        int? Int(string k) => root.TryGetProperty(k, out var v) ? v.GetInt32() : null;
        float F(string k, float d) => Str(k) is string v ? float.Parse(v, CultureInfo.InvariantCulture) : d;
        try
        {
            return new TrainCommand.Settings
            {
                Model = Str("model") ?? "mlp", Data = Str("data"), EpochsOption = now.EpochsOption ?? Int("epochs_option"), BatchSizeOption = Int("batch_size"),
                // GAN runs saved before they kept their rates were all trained at 2e-4.
                LearningRateOption = Str("lr") is string lr ? float.Parse(lr, CultureInfo.InvariantCulture) : GanTraining.Handles(Str("model") ?? "") ? 2e-4f : null,
                MinutesOption = Str("minutes") is string m ? double.Parse(m, CultureInfo.InvariantCulture) : null,
                Optimizer = Str("optimizer") ?? "adam", ScheduleOption = Str("schedule"), Seed = ulong.Parse(Str("seed") ?? "42", CultureInfo.InvariantCulture),
                ValSplit = F("val_split", 0.05f), Augment = Str("augment"), Target = Str("target"), Task = Str("task"),
                WeightDecay = F("weight_decay", 0), Dropout = F("dropout", 0), L1 = F("l1", 0),
                MaxNorm = Str("max_norm") is string c ? float.Parse(c, CultureInfo.InvariantCulture) : null,
                DiscriminatorLearningRate = Str("discriminator_lr") is string d ? float.Parse(d, CultureInfo.InvariantCulture) : null,
                // Runs saved before the GANs kept their generator steps made one unless told otherwise.
                GeneratorStepsOption = Int("generator_steps") ?? 1, EmaOption = F("ema", 0),
                // InfoGAN runs saved before they kept their information weight were trained with 1.
                InfoWeightOption = F("info_weight", 1),
                Code = Int("code") ?? 32, Noise = F("noise", 0), Out = dir, Resume = dir, Threads = now.Threads,
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw new InvalidDataException($"--resume: '{path}' has a malformed value: {e.Message}");
        }
    }

    /// <summary>
    /// The callback that makes the run in <paramref name="dir"/> resumable. A fresh run removes a checkpoint left there
    /// by an earlier run (so it does not continue that one); a resumed run (<paramref name="resume"/>) continues from it.
    /// </summary>
    public static BackupAndRestore Backup(string dir, bool resume, params (string, IStateful)[] extra)
    {
        var path = Path.Combine(dir, RunFolder.Checkpoint);
        if (!resume && File.Exists(path)) File.Delete(path);
        return new BackupAndRestore(path, extra);
    }
}
