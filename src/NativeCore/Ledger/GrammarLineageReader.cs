using System.Globalization;
using NativeCore.Experiments;
using NativeCore.Training;

namespace NativeCore.Ledger;

/// <summary>Reads a grammar checkpoint (or a run folder's latest one) as a lineage link.</summary>
internal static class GrammarLineageReader
{
    /// <exception cref="InvalidCheckpointException">The checkpoint's model.json (or legacy checkpoint.json) is unreadable; the message names it.</exception>
    /// <exception cref="MissingInputException">There is no checkpoint at <paramref name="path"/>.</exception>
    public static LineageLink Read(string path)
    {
        string dir = Checkpoint.Resolve(path);
        var sidecar = Checkpoint.ReadSidecar(dir);
        var l = sidecar.Lineage;
        // The run's task ("C", "pretraining mix") goes first so that the stage config's own task field, which a
        // pre-training carries at its default, does not stand in for it.
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["task"] = l.Task };
        SettingsFlattener.Add(settings, l.Settings, ConfigLoader.Writing);
        SettingsFlattener.Add(settings, l.Data, ConfigLoader.Writing, "data.");
        settings["data_seed"] = l.DataSeed.ToString(CultureInfo.InvariantCulture);
        settings["seed"] = sidecar.Seed.ToString(CultureInfo.InvariantCulture);
        if (sidecar.Config.Preset.Length > 0) settings["preset"] = sidecar.Config.Preset;
        if (l.Backend.Length > 0) settings["backend"] = l.Backend;
        return new LineageLink
        {
            Directory = dir,
            Sidecar = ModelCard.Find(dir, ModelCard.Grammar)!,
            Setting = LineageSetting.Grammar,
            Stage = l.Stage,
            Step = sidecar.Step,
            TotalSteps = sidecar.TotalSteps,
            Sha256 = sidecar.ModelSha256,
            Parent = l.Parent,
            Settings = settings,
            Software = $"{l.Version} ({l.Commit})",
            User = l.User,
            Host = l.Host,
            StartedUtc = l.StartedUtc,
            EndedUtc = l.EndedUtc,
        };
    }
}
