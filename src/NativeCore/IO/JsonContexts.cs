using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using NativeCore.Analysis;
using NativeCore.Experiments;
using NativeCore.Model;
using NativeCore.Stories;
using NativeCore.Tracr;
using NativeCore.Training;
using NativeCore.Verdicts;

namespace NativeCore.IO;

// Every JSON the core reads or writes goes through metadata generated at compile time, so that the core needs no
// reflection and trims and compiles ahead of time. There are two contexts because whether enums are spelled as names
// is fixed when the metadata is generated, not by the options that use it. Runtime options (indentation, strict
// reading, nullability) still come from each caller's JsonSerializerOptions, whose TypeInfoResolver names one of these.
// Two habits follow from generated metadata: a type read from JSON declares its defaults on settable properties, not
// init-only ones, whose initialisers generated code drops (dotnet/runtime#84484); and it holds no value tuples, whose
// fields generated code does not write.

/// <summary>Run configs and grammar checkpoint sidecars: enums as their names, as a user writes them in a preset.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunConfig))]
[JsonSerializable(typeof(CheckpointSidecar))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;

/// <summary>Everything else: Tracr and stories configs and sidecars, golden cases, the grid's store records and stage results, reports.</summary>
[JsonSerializable(typeof(StageEvaluations))]
[JsonSerializable(typeof(IReadOnlyList<ProbeCell>))]
[JsonSerializable(typeof(PruneCell))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(RevivalCell))]
[JsonSerializable(typeof(RevivalCurve))]
[JsonSerializable(typeof(TracrPaperGrid.ScanResult))]
[JsonSerializable(typeof(Optional<TracrPruning>))]
[JsonSerializable(typeof(Optional<TracrRevival>))]
[JsonSerializable(typeof(StoryScore))]
[JsonSerializable(typeof(List<StoriesScorePoint>))]
[JsonSerializable(typeof(StoriesRevival))]
[JsonSerializable(typeof(StoriesPaperGrid.ProbeOutcome))]
[JsonSerializable(typeof(GridRecipe))]
[JsonSerializable(typeof(StageAttempt))]
[JsonSerializable(typeof(DoneRecord))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(GptConfig))]
[JsonSerializable(typeof(AdamWConfig))]
[JsonSerializable(typeof(CompiledModel))]
[JsonSerializable(typeof(TracrRecipe))]
[JsonSerializable(typeof(TracrPaperConfig))]
[JsonSerializable(typeof(StoriesModel))]
[JsonSerializable(typeof(StoriesConfig))]
[JsonSerializable(typeof(StoriesPaperConfig))]
[JsonSerializable(typeof(List<VerdictJson>))]
[JsonSerializable(typeof(AuditJson))]
[JsonSerializable(typeof(PruneJson))]
[JsonSerializable(typeof(ProbeTargetsJson))]
[JsonSerializable(typeof(ProbeModelsJson))]
[JsonSerializable(typeof(ReftJson))]
[JsonSerializable(typeof(Dictionary<string, AttentionJson>))]
internal sealed partial class CoreJsonContext : JsonSerializerContext;

/// <summary>Typed access to the metadata an options instance resolves, for the serializer's AOT-safe overloads.</summary>
internal static class JsonMetadata
{
    /// <summary>The contract for <typeparamref name="T"/> under <paramref name="options"/>, whose resolver must know it.</summary>
    public static JsonTypeInfo<T> For<T>(this JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    /// <summary>Options with the core's general metadata, indented: for reports and sidecars.</summary>
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, TypeInfoResolver = CoreJsonContext.Default };

    /// <summary>Options with the core's general metadata, compact.</summary>
    public static JsonSerializerOptions Compact { get; } = new() { TypeInfoResolver = CoreJsonContext.Default };
}
