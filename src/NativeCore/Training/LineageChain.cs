namespace NativeCore.Training;

/// <summary>One checkpoint in a lineage chain.</summary>
/// <param name="Directory">The checkpoint folder.</param>
/// <param name="Sidecar">Its sidecar.</param>
/// <param name="ParentChanged">Whether the next checkpoint's recorded parent hash no longer matches this one's weights.</param>
public sealed record LineageLink(string Directory, CheckpointSidecar Sidecar, bool ParentChanged);

/// <summary>Follows recorded parents from a checkpoint back to the first pre-training.</summary>
public static class LineageChain
{
    /// <summary>The chain, oldest first.</summary>
    /// <exception cref="InvalidCheckpointException">A checkpoint in the chain is missing or unreadable.</exception>
    public static IReadOnlyList<LineageLink> Walk(string start)
    {
        var links = new List<LineageLink>();
        string? dir = Checkpoint.Resolve(start);
        string? expectedHash = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (dir is not null)
        {
            if (!seen.Add(Path.GetFullPath(dir))) throw new InvalidCheckpointException($"{dir}: lineage loops back on itself");
            var sidecar = Checkpoint.ReadSidecar(dir);
            bool changed = expectedHash is not null && expectedHash != sidecar.ModelSha256;
            links.Add(new LineageLink(dir, sidecar, changed));
            expectedHash = sidecar.Lineage.Parent?.Sha256;
            dir = sidecar.Lineage.Parent?.Path;
        }
        links.Reverse();
        return links;
    }
}
