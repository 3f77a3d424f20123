using NativeCore.Training;
using NativeCore.Stories;
using NativeCore.Tracr;

namespace NativeCore.Ledger;

/// <summary>Reads the ledger entry of any model folder, whichever setting made it.</summary>
internal static class LineageReader
{
    /// <summary>
    /// The link for <paramref name="path"/>: a Tracr model folder (tracr.json), a stories model folder (stories.json),
    /// or a grammar checkpoint or run folder (its model.json, or a <c>latest</c> file naming one); folders written before model.json by their checkpoint.json, tracr.json or stories.json.
    /// </summary>
    /// <remarks>
    /// A root sidecar decides before <c>latest</c> does: Tracr and stories folders also keep intermediate
    /// checkpoints and a <c>latest</c> file, but their final model is the one beside tracr.json or stories.json. Until
    /// that final save, the latest checkpoint stands for the run.
    /// </remarks>
    /// <exception cref="InvalidCheckpointException">The sidecar is unreadable or its parent is incomplete; the message names the file.</exception>
    /// <exception cref="MissingInputException">There is no model at <paramref name="path"/>.</exception>
    public static LineageLink Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // A Tracr or stories run stopped before its final save has only its checkpoints: the latest one stands for it.
        if (!HasSettingSidecar(path) && Training.Checkpoint.Latest(path) is { } latest && HasSettingSidecar(latest)) path = latest;
        string? setting = Directory.Exists(path) ? ModelCard.SettingOf(path) : null;
        var link = setting == ModelCard.Tracr ? TracrLineageReader.Read(path)
            : setting == ModelCard.Stories ? StoriesLineageReader.Read(path)
            : GrammarLineageReader.Read(path);
        // Hand-edited or older sidecars can hold a parent without a path or hash; following it would fail far from the file.
        if (link.Parent is { } p && (string.IsNullOrEmpty(p.Path) || string.IsNullOrEmpty(p.Sha256)))
            throw new InvalidCheckpointException($"{link.Sidecar}: the parent lacks its path or sha256");
        return link;
    }

    /// <summary>
    /// Which setting made the model at <paramref name="path"/>, told by its sidecar: tracr.json, stories.json (at the
    /// root, or in the checkpoint <c>latest</c> names; by the legacy sidecar's name in older folders), else grammar.
    /// </summary>
    public static LineageSetting SettingOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!HasSettingSidecar(path) && File.Exists(Path.Combine(path, "latest")) && Training.Checkpoint.Latest(path) is { } latest && HasSettingSidecar(latest)) path = latest;
        return (Directory.Exists(path) ? ModelCard.SettingOf(path) : null) switch
        {
            ModelCard.Tracr => LineageSetting.Tracr,
            ModelCard.Stories => LineageSetting.Stories,
            _ => LineageSetting.Grammar,
        };
    }

    private static bool HasSettingSidecar(string dir) => Directory.Exists(dir) && ModelCard.SettingOf(dir) is ModelCard.Tracr or ModelCard.Stories;
}
