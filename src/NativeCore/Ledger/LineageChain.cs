namespace NativeCore.Ledger;

/// <summary>Follows recorded parents from a model back to the first one, across settings.</summary>
internal static class LineageChain
{
    /// <summary>The chain, oldest first; a link whose weights changed after its child was trained from them is flagged.</summary>
    /// <param name="start">Any folder <see cref="LineageReader.Read"/> accepts.</param>
    /// <exception cref="InvalidCheckpointException">A sidecar in the chain is unreadable, or the chain loops; the message names the file or folder.</exception>
    /// <exception cref="MissingInputException">A model in the chain is missing.</exception>
    public static IReadOnlyList<LineageLink> Walk(string start)
    {
        var links = new List<LineageLink>();
        string? path = start;
        string? expectedHash = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (path is not null)
        {
            var link = LineageReader.Read(path);
            if (!seen.Add(Path.GetFullPath(link.Directory))) throw new InvalidCheckpointException($"{link.Directory}: lineage loops back on itself");
            links.Add(link with { ParentChanged = expectedHash is not null && expectedHash != link.Sha256 });
            expectedHash = link.Parent?.Sha256;
            path = link.Parent?.Path;
        }
        links.Reverse();
        return links;
    }
}
