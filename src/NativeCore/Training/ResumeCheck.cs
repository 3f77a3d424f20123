namespace NativeCore.Training;

/// <summary>What every setting checks before it starts or continues a run folder.</summary>
public static class ResumeCheck
{
    /// <summary>
    /// Claims <paramref name="runDirectory"/> for a stage and returns the checkpoint to continue from, or null for a
    /// fresh run. A folder holding a finished model (model.json at its root, with <paramref name="finalModelAtRoot"/>)
    /// is refused, as is one holding a run when <paramref name="resume"/> is false.
    /// </summary>
    /// <exception cref="InvalidConfigException">The folder holds a finished model, or a run and no --resume.</exception>
    /// <exception cref="OutputFolderException">The folder was not made by NativeCore or holds another kind of output.</exception>
    public static string? Begin(string runDirectory, string kind, bool resume, bool finalModelAtRoot)
    {
        if (finalModelAtRoot && Directory.Exists(runDirectory) && ModelCard.SettingOf(runDirectory) is { } held)
            throw new InvalidConfigException($"{runDirectory} already holds a {held} model; choose another --out");
        IO.OutputFolder.Claim(runDirectory, kind);
        if (!Checkpoint.Exists(runDirectory)) return null;
        if (!resume) throw new InvalidConfigException($"{runDirectory} already holds a run; pass --resume to continue it, or choose another --out");
        return Checkpoint.Latest(runDirectory);
    }

    /// <summary>
    /// Refuses to continue a run that started from other weights than the ones asked for now: the same recipe from
    /// another parent (reFT of model B into a folder holding model A's reFT) must not continue A's run.
    /// </summary>
    /// <param name="runDirectory">The folder being resumed.</param>
    /// <param name="recorded">The parent its checkpoint records (null: trained from scratch).</param>
    /// <param name="askedFrom">The parent given now, as the user named it (null: from scratch).</param>
    /// <param name="askedModelFile">That parent's model.safetensors.</param>
    /// <exception cref="InvalidConfigException">The parents differ; the message names both.</exception>
    public static void SameParent(string runDirectory, ParentRef? recorded, string? askedFrom, string? askedModelFile)
    {
        string? asked = askedModelFile is null ? null : Checkpoint.Sha256(askedModelFile);
        if (!string.Equals(asked, recorded?.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidConfigException($"--resume: {runDirectory} continues a run from {(recorded is null ? "scratch" : $"the weights of {recorded.Path} (sha256 {recorded.Sha256[..12]})")}, not from {(askedFrom is null ? "scratch" : $"{askedFrom} (sha256 {asked![..12]})")}; choose another --out");
    }
}
