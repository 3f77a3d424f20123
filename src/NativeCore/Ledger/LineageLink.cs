using NativeCore.Training;

namespace NativeCore.Ledger;

/// <summary>
/// One model in a lineage chain, in the same terms whichever setting made it, so that a chain may cross settings and
/// one printer and one graph serve them all.
/// </summary>
internal sealed record LineageLink
{
    /// <summary>The folder the model was read from (for grammar, the checkpoint folder a run's <c>latest</c> names).</summary>
    public required string Directory { get; init; }

    /// <summary>The sidecar this link was read from; errors about the link name it.</summary>
    public required string Sidecar { get; init; }

    /// <summary>Which setting made the model.</summary>
    public required LineageSetting Setting { get; init; }

    /// <summary>pretrain, compile, finetune, delete or reft, as the sidecar records it.</summary>
    public required string Stage { get; init; }

    /// <summary>Optimizer steps done, where the sidecar records them.</summary>
    public long? Step { get; init; }

    /// <summary>Steps the stage was configured for, where the sidecar records them.</summary>
    public long? TotalSteps { get; init; }

    /// <summary>
    /// SHA-256 of the model's weights: the hash recorded in a grammar checkpoint's model.json, and for Tracr and stories
    /// models (whose sidecars record none) the hash of model.safetensors as it is now.
    /// </summary>
    public required string Sha256 { get; init; }

    /// <summary>The model this one was trained from, with that model's hash at the time; null for a first model.</summary>
    public ParentRef? Parent { get; init; }

    /// <summary>The data and recipe of the stage, by the sidecar's own key names; nested sections as <c>data.prior</c>.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>NativeCore version and commit, as "version (commit)", where recorded.</summary>
    public string? Software { get; init; }

    /// <summary>Who ran it, where recorded.</summary>
    public string? User { get; init; }

    /// <summary>Where it ran, where recorded.</summary>
    public string? Host { get; init; }

    /// <summary>UTC start of the run (ISO 8601), where recorded.</summary>
    public string? StartedUtc { get; init; }

    /// <summary>UTC time the model was written (ISO 8601), where recorded.</summary>
    public string? EndedUtc { get; init; }

    /// <summary>Whether the next model in the chain recorded a different hash for these weights: they changed after it was trained from them.</summary>
    public bool ParentChanged { get; init; }
}
