using NativeCore.Training;
using NativeCore.Stories;

namespace NativeCore.Ledger;

/// <summary>Reads a stories model folder as a lineage link.</summary>
internal static class StoriesLineageReader
{
    /// <exception cref="InvalidCheckpointException">stories.json is unreadable; the message names it.</exception>
    /// <exception cref="MissingInputException">model.safetensors is missing.</exception>
    public static LineageLink Read(string dir)
    {
        var model = StoriesModel.Read(dir);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        // Serialised with the metadata stories.json is written with, so the keys are the names that file uses.
        SettingsFlattener.Add(settings, model.Config, IO.JsonMetadata.Compact);
        string? Made(string key) => model.MadeBy.TryGetValue(key, out string? value) ? value : null;
        return new LineageLink
        {
            Directory = dir,
            Sidecar = ModelCard.Find(dir, ModelCard.Stories)!,
            Setting = LineageSetting.Stories,
            Stage = model.Stage,
            Step = model.Step,
            TotalSteps = model.Config.Steps,
            Sha256 = ModelHash.Of(dir),
            Parent = model.Parent,
            Settings = settings,
            Software = Made("nativecore"),
            User = Made("user"),
            Host = Made("host"),
            EndedUtc = Made("utc"),
        };
    }
}
