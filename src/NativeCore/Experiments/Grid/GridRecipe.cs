using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Stories;
using NativeCore.Tracr;

namespace NativeCore.Experiments;

/// <summary>
/// What a grid is, as <c>grid/recipe.json</c> in its run folder records it: the setting, the preset, the <c>--set</c>
/// overrides and the backend. <c>nativecore stage run</c>, <c>paper --status</c> and <c>paper --report-only</c> rebuild
/// the grid from it, so a job on another node needs nothing but the run folder.
/// </summary>
internal sealed record GridRecipe(
    [property: JsonPropertyName("setting")] string Setting,
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("overrides")] IReadOnlyList<string> Overrides,
    [property: JsonPropertyName("backend")] string Backend)
{
    /// <summary>The settings a grid can be of.</summary>
    public static IReadOnlyList<string> Settings { get; } = ["grammar", "tracr", "stories"];


    private static string FileOf(string runDirectory) => Path.Combine(runDirectory, "grid", "recipe.json");

    /// <summary>Writes the recipe into <paramref name="runDirectory"/>.</summary>
    public void Save(string runDirectory) => AtomicFile.WriteAllText(FileOf(runDirectory), JsonSerializer.Serialize(this, IO.JsonMetadata.Indented.For<GridRecipe>()));

    /// <summary>The recipe of the grid in <paramref name="runDirectory"/>; a folder without one is refused by name.</summary>
    public static GridRecipe Load(string runDirectory)
    {
        string file = FileOf(runDirectory);
        if (!File.Exists(file))
            throw new MissingInputException($"{runDirectory}: not a grid's run folder (no grid/recipe.json); run `nativecore paper` with --out {runDirectory} first");
        try
        {
            var recipe = JsonSerializer.Deserialize(File.ReadAllText(file), IO.JsonMetadata.Compact.For<GridRecipe>()) ?? throw new InvalidCheckpointException($"{file}: empty");
            if (!Settings.Contains(recipe.Setting)) throw new InvalidCheckpointException($"{file}: setting '{recipe.Setting}' is not one of {string.Join(", ", Settings)}");
            return recipe with { Overrides = recipe.Overrides ?? [] };
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{file}: not a grid recipe ({e.Message})");
        }
    }

    /// <summary>
    /// The grid this recipe describes in <paramref name="runDirectory"/>; <paramref name="backend"/> is called only when
    /// a stage first needs it, so planning and submitting need no device.
    /// </summary>
    public IExperimentGrid Open(string runDirectory, Func<IBackend> backend, IGridObserver? observer = null) => Setting switch
    {
        "tracr" => new TracrPaperGrid(TracrPaperConfig.Named(Preset).WithOverrides(Overrides), runDirectory, backend, observer),
        "stories" => new StoriesPaperGrid(StoriesPaperConfig.Named(Preset).WithOverrides(Overrides), runDirectory, backend, observer),
        _ => new PaperGrid(ConfigLoader.Load(Preset, [.. Overrides, $"backend={Backend}"]), runDirectory, backend, observer),
    };
}
