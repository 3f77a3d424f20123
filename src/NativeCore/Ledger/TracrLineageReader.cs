using System.Text.Json;
using NativeCore.IO;
using NativeCore.Tracr;
using NativeCore.Training;

namespace NativeCore.Ledger;

/// <summary>Reads a compiled or fine-tuned Tracr model folder as a lineage link.</summary>
internal static class TracrLineageReader
{
    /// <exception cref="InvalidCheckpointException">tracr.json is unreadable; the message names it.</exception>
    /// <exception cref="MissingInputException">model.safetensors is missing.</exception>
    public static LineageLink Read(string dir)
    {
        string sidecar = ModelCard.Find(dir, ModelCard.Tracr) ?? throw new MissingInputException($"{Path.Combine(dir, ModelCard.FileName)}: not found");
        string json = File.ReadAllText(sidecar);
        CompiledModel model;
        try
        {
            // The whole description is read, not only its lineage, so that a file that is not a Tracr sidecar is
            // refused here rather than shown as a model without a parent.
            model = JsonSerializer.Deserialize(json, IO.JsonMetadata.Compact.For<CompiledModel>()) ?? throw new InvalidCheckpointException($"{sidecar}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{sidecar}: {JsonFiles.Describe(e, json)}");
        }
        // A model written before compiled models kept a ledger has none; it can only have been compiled, which is
        // also what a fine-tune of it records as its parent's stage.
        var l = model.Lineage;
        string stage = l is null ? "compile" : l.Stage;
        if (string.IsNullOrEmpty(stage)) throw new InvalidCheckpointException($"{sidecar}: 'lineage.stage' is missing");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        // A fine-tune's recipe does not name the program; the model does, and it tells a Counter from a Max-identifier.
        if (!string.IsNullOrEmpty(model.Program)) settings["program"] = model.Program;
        foreach (var (key, value) in l?.Settings ?? new Dictionary<string, string>())
            if (value is not null) settings[key] = value;
        return new LineageLink
        {
            Directory = dir,
            Sidecar = sidecar,
            Setting = LineageSetting.Tracr,
            Stage = stage,
            Step = l?.Step,
            TotalSteps = l?.Step is null ? null : long.TryParse(l.Settings.GetValueOrDefault("steps"), System.Globalization.CultureInfo.InvariantCulture, out long total) ? total : null,
            Sha256 = ModelHash.Of(dir),
            Parent = l?.Parent,
            Settings = settings,
            Software = l?.Software,
            User = l?.User,
            Host = l?.Host,
            EndedUtc = l?.Utc,
        };
    }
}
