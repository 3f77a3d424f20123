using System.Text.Json.Serialization;
using NativeCore.Experiments;
using NativeCore.Tasks;

namespace NativeCore.Training;

/// <summary>Where a checkpoint's parent is, and the fingerprint of the weights it started from.</summary>
/// <param name="Path">The parent checkpoint folder, as given.</param>
/// <param name="Sha256">SHA-256 of the parent's model.safetensors at the time of the fine-tune.</param>
/// <param name="Stage">The parent's stage (pretrain, finetune, reft).</param>
public sealed record ParentRef(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("stage")] string Stage)
{
    /// <summary>The reference to the model in <paramref name="directory"/>: its full path and its weights' SHA-256 now.</summary>
    public static ParentRef Of(string directory, string stage) =>
        new(System.IO.Path.GetFullPath(directory), Checkpoint.Sha256(System.IO.Path.Combine(directory, "model.safetensors")), stage);
}

/// <summary>
/// The record every checkpoint keeps of how it was made: parent, data, settings, software, who and when. This is the
/// fine-tune ledger: <c>nativecore lineage</c> follows the parents back to the first pre-training.
/// </summary>
internal sealed record Lineage
{
    /// <summary>The checkpoint this run started from; null for training from scratch.</summary>
    [JsonPropertyName("parent")] public ParentRef? Parent { get; init; }

    /// <summary>pretrain, finetune or reft.</summary>
    [JsonPropertyName("stage")] public string Stage { get; set; } = "";

    /// <summary>The data this run trained on.</summary>
    [JsonPropertyName("data")] public DataConfig Data { get; set; } = new();

    /// <summary>Fine-tuning task (C or I) and operand, or "pretraining mix".</summary>
    [JsonPropertyName("task")] public string Task { get; set; } = "";

    /// <summary>The stage's optimisation settings (lr, steps, C_Tr…).</summary>
    [JsonPropertyName("settings")] public StageConfig Settings { get; set; } = new();

    /// <summary>Seed of the data stream.</summary>
    [JsonPropertyName("data_seed")] public ulong DataSeed { get; init; }

    /// <summary>NativeCore version.</summary>
    [JsonPropertyName("nativecore_version")] public string Version { get; set; } = BuildInfo.Version;

    /// <summary>The git commit NativeCore was built from.</summary>
    [JsonPropertyName("nativecore_commit")] public string Commit { get; set; } = BuildInfo.Commit;

    /// <summary>Who ran it.</summary>
    [JsonPropertyName("user")] public string User { get; set; } = Environment.UserName;

    /// <summary>Where it ran.</summary>
    [JsonPropertyName("host")] public string Host { get; set; } = Environment.MachineName;

    /// <summary>Backend it ran on.</summary>
    [JsonPropertyName("backend")] public string Backend { get; set; } = "";

    /// <summary>UTC start of the run (ISO 8601).</summary>
    [JsonPropertyName("started_utc")] public string StartedUtc { get; set; } = "";

    /// <summary>UTC time this checkpoint was written (ISO 8601).</summary>
    [JsonPropertyName("ended_utc")] public string EndedUtc { get; set; } = "";
}
