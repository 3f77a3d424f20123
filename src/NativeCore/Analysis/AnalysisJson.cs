using System.Text.Json.Serialization;
using NativeCore.Training;

namespace NativeCore.Analysis;

// The shapes of the analysis commands' JSON files (prune.json, probe.json, reft.json, attention.json, audit.json), as
// named records so that their metadata is generated at compile time. The snake_case names are the files' format.

/// <summary>prune.json.</summary>
internal sealed record PruneJson(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("capability")] string Capability,
    [property: JsonPropertyName("units")] string Units,
    [property: JsonPropertyName("steps")] IReadOnlyList<PruneStepJson> Steps,
    [property: JsonPropertyName("majority_share")] Dictionary<string, double> MajorityShare);

/// <summary>One K of a pruning curve.</summary>
internal sealed record PruneStepJson(
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("removed")] PrunedUnitJson? Removed,
    [property: JsonPropertyName("accuracy")] Dictionary<string, double> Accuracy)
{
    public static PruneStepJson Of(PruneStep s) => new(s.K,
        s.Removed is null ? null : new PrunedUnitJson(s.Removed.Parameter, s.Removed.Index, s.Removed.Score),
        s.Accuracies.ToDictionary(a => a.Name, a => a.Accuracy));
}

/// <summary>The unit removed at one K.</summary>
internal sealed record PrunedUnitJson(
    [property: JsonPropertyName("parameter")] string Parameter,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("score")] double Score);

/// <summary>probe.json of <c>probe --targets</c>: one model, several targets.</summary>
internal sealed record ProbeTargetsJson(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("asked_with")] string AskedWith,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("targets")] IReadOnlyList<ProbeTargetJson> Targets);

/// <summary>One target's probes, block by block.</summary>
internal sealed record ProbeTargetJson(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("blocks")] IReadOnlyList<ProbeBlockJson> Blocks);

/// <summary>probe.json of <c>probe</c>: one target, one or two models.</summary>
internal sealed record ProbeModelsJson(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("asked_with")] string AskedWith,
    [property: JsonPropertyName("models")] IReadOnlyList<ProbeModelJson> Models);

/// <summary>One model's probes, block by block.</summary>
internal sealed record ProbeModelJson(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("blocks")] IReadOnlyList<ProbeBlockJson> Blocks);

/// <summary>One block's probe; the test size is written only where the file always gave it.</summary>
internal sealed record ProbeBlockJson(
    [property: JsonPropertyName("block")] string Block,
    [property: JsonPropertyName("hook")] string Hook,
    [property: JsonPropertyName("train_accuracy")] double TrainAccuracy,
    [property: JsonPropertyName("test_accuracy")] double TestAccuracy,
    [property: JsonPropertyName("chance")] double Chance,
    [property: JsonPropertyName("test_size"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TestSize)
{
    public static ProbeBlockJson Of(ProbeResult r, int block, bool withSize) =>
        new(Probing.BlockLabel(block), r.Hook, r.TrainAccuracy, r.TestAccuracy, r.Chance, withSize ? r.TestSize : null);
}

/// <summary>reft.json.</summary>
internal sealed record ReftJson(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("lr")] double LearningRate,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("runs")] IReadOnlyList<ReftRunJson> Runs);

/// <summary>One reFT or baseline curve.</summary>
internal sealed record ReftRunJson(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("steps")] IReadOnlyList<long> Steps,
    [property: JsonPropertyName("accuracy")] IReadOnlyList<double> Accuracy,
    [property: JsonPropertyName("steps_to_90")] long? StepsTo90,
    [property: JsonPropertyName("steps_to_99")] long? StepsTo99);

/// <summary>One model's entry in attention.json.</summary>
internal sealed record AttentionJson(
    [property: JsonPropertyName("tokens")] IReadOnlyList<string> Tokens,
    [property: JsonPropertyName("patterns")] float[][][][] Patterns);

/// <summary>audit.json.</summary>
internal sealed record AuditJson(
    [property: JsonPropertyName("base")] string Base,
    [property: JsonPropertyName("tuned")] string Tuned,
    [property: JsonPropertyName("capability")] string Capability,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons,
    [property: JsonPropertyName("set_size")] int SetSize,
    [property: JsonPropertyName("base_accuracy")] double BaseAccuracy,
    [property: JsonPropertyName("tuned_accuracy")] double TunedAccuracy,
    [property: JsonPropertyName("majority_share")] double MajorityShare,
    [property: JsonPropertyName("pruning")] AuditPruningJson Pruning,
    [property: JsonPropertyName("probe")] AuditProbeJson Probe,
    [property: JsonPropertyName("reft")] CurveJson Reft,
    [property: JsonPropertyName("scratch")] CurveJson Scratch,
    [property: JsonPropertyName("attention_similarity")] Dictionary<string, double> AttentionSimilarity,
    [property: JsonPropertyName("thresholds")] Dictionary<string, double> Thresholds,
    [property: JsonPropertyName("seconds")] double Seconds);

/// <summary>The audit's pruning check, on the tuned model and its control.</summary>
internal sealed record AuditPruningJson(
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("held_out_before")] double HeldOutBefore,
    [property: JsonPropertyName("held_out_after")] double HeldOutAfter,
    [property: JsonPropertyName("control_k")] int ControlK,
    [property: JsonPropertyName("control_before")] double ControlBefore,
    [property: JsonPropertyName("control_after")] double ControlAfter);

/// <summary>The audit's probe test accuracies per block.</summary>
internal sealed record AuditProbeJson(
    [property: JsonPropertyName("base")] IReadOnlyList<double> Base,
    [property: JsonPropertyName("tuned")] IReadOnlyList<double> Tuned,
    [property: JsonPropertyName("control")] IReadOnlyList<double> Control,
    [property: JsonPropertyName("chance")] double Chance,
    [property: JsonPropertyName("test_size")] int TestSize);

/// <summary>A revival curve: accuracy against steps.</summary>
internal sealed record CurveJson(
    [property: JsonPropertyName("steps")] IReadOnlyList<long> Steps,
    [property: JsonPropertyName("accuracy")] IReadOnlyList<double> Accuracy);
