namespace NativeCore.IO;

/// <summary>
/// The one guard every command that writes a folder goes through, so that no command truncates or overwrites work it
/// did not make. A folder a command claims carries a marker naming what made it (a grammar, Tracr or stories model,
/// an audit, a paper run, an analysis); another kind of command is refused there. Folders written before markers
/// existed are recognised by their sidecar files; a non-empty folder that NativeCore did not make is never used.
/// </summary>
public static class OutputFolder
{
    /// <summary>The marker file's name; its text is the kind of output the folder holds.</summary>
    public const string MarkerName = ".nativecore-output";

    /// <summary>Kinds of output: the marker's text.</summary>
    public static class Kinds
    {
        /// <summary>A model trained on the grammar tasks.</summary>
        public const string GrammarModel = "grammar model";
        /// <summary>A compiled or trained Tracr model (tracr.json).</summary>
        public const string TracrModel = "tracr model";
        /// <summary>A TinyStories model (stories.json).</summary>
        public const string StoriesModel = "stories model";
        /// <summary>An audit's report and its reverse fine-tuning runs.</summary>
        public const string Audit = "audit";
        /// <summary>A paper grid with its stages and report.</summary>
        public const string Paper = "paper run";
        /// <summary>An analysis output: pruning curves, probes or attention maps.</summary>
        public const string Analysis = "analysis";
    }

    // Sidecars that identify folders written before markers existed.
    private static readonly (string File, string Kind)[] Legacy =
    [
        ("checkpoint.json", Kinds.GrammarModel), ("tracr.json", Kinds.TracrModel), ("stories.json", Kinds.StoriesModel),
        ("audit.json", Kinds.Audit), ("verdicts.json", Kinds.Paper),
    ];

    /// <summary>
    /// Makes <paramref name="path"/> ready for output of <paramref name="kind"/>: creates it, or accepts it when it is
    /// empty or already holds that kind, and marks it. With <paramref name="requireEmpty"/>, a folder holding anything
    /// (even the same kind) is refused. Throws <see cref="OutputFolderException"/> naming the folder otherwise.
    /// </summary>
    public static void Claim(string path, string kind, bool requireEmpty = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        if (string.IsNullOrWhiteSpace(path)) throw new InvalidConfigException("--out is empty; name the output folder");
        if (File.Exists(path)) throw new OutputFolderException($"output folder {path} is a file; choose another --out");
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFolderException($"cannot create output folder {path}: {e.Message}");
        }
        string? owner = Owner(path);
        bool empty = !Directory.EnumerateFileSystemEntries(path).Any(e => Path.GetFileName(e) != MarkerName);
        if (requireEmpty && !empty)
            throw new OutputFolderException($"output folder {path} is not empty{(owner is null ? "" : $" (it holds a {owner})")}; choose another --out");
        if (owner is null && !empty)
            throw new OutputFolderException($"output folder {path} is not empty and was not made by NativeCore; choose another --out");
        if (owner is not null && owner != kind)
            throw new OutputFolderException($"output folder {path} holds a {owner}, not a {kind}; choose another --out");
        try
        {
            if (owner is null || !File.Exists(Path.Combine(path, MarkerName))) AtomicFile.WriteAllText(Path.Combine(path, MarkerName), kind);
        }
        catch (UnauthorizedAccessException)
        {
            throw new OutputFolderException($"output folder {path} is not writable");
        }
    }

    /// <summary>What made the folder at <paramref name="path"/>: its marker, else the kind its sidecar shows, else null.</summary>
    public static string? Owner(string path)
    {
        string marker = Path.Combine(path, MarkerName);
        if (File.Exists(marker)) return File.ReadAllText(marker).Trim();
        foreach (var (file, kind) in Legacy)
            if (File.Exists(Path.Combine(path, file))) return kind;
        return null;
    }
}
