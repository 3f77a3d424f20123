using NativeCore.IO;
using System.Text.Json;

namespace NativeCore.Experiments;

/// <summary>
/// A grid as an explicit graph of stages, added parents first. Every grid (grammar, Tracr, stories) declares its
/// stages here; the executors (<see cref="GridRunner"/> in this process, <see cref="SlurmExecutor"/>, one job per
/// stage) run them, and the grid collects its results from the stages' folders afterwards.
/// </summary>
internal sealed class StageGraph(string runDirectory)
{
    private readonly List<GridStage> _stages = [];
    private readonly Dictionary<string, GridStage> _byId = new(StringComparer.Ordinal);

    /// <summary>The grid's run folder: the store that holds every stage's folder and the grid's own records.</summary>
    public string RunDirectory { get; } = runDirectory;

    /// <summary>Every stage, parents before children.</summary>
    public IReadOnlyList<GridStage> Stages => _stages;

    /// <summary>The stage with id <paramref name="id"/>, or null.</summary>
    public GridStage? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The folder of <paramref name="stage"/>.</summary>
    public string Folder(GridStage stage) => Path.Combine(RunDirectory, "stages", stage.Id);

    /// <summary>
    /// Adds a stage named <paramref name="name"/> whose result is decided by <paramref name="material"/> and its
    /// <paramref name="parents"/>; returns the existing stage when the same one was already added.
    /// </summary>
    public GridStage Add(string name, string material, IEnumerable<GridStage> parents, long units, double flops, Action<StageContext> body)
    {
        var parentList = parents.Distinct().ToList();
        foreach (var p in parentList)
            if (!_byId.ContainsKey(p.Id)) throw new InvalidOperationException($"stage {name}: parent {p.Id} is not in the graph");
        string hash = StageKey.Hash(material + "\n" + string.Join("\n", parentList.Select(p => p.Id)));
        var stage = new GridStage(name, hash, parentList, units, flops, body);
        if (_byId.TryGetValue(stage.Id, out var existing)) return existing;
        _stages.Add(stage);
        _byId[stage.Id] = stage;
        return stage;
    }

    /// <summary>
    /// Adds a stage whose result is one JSON value, written to <c>result.json</c> in its folder; the handle reads it back
    /// in any process once the stage is done.
    /// </summary>
    public StageResult<T> Add<T>(string name, string material, IEnumerable<GridStage> parents, long units, double flops, Func<StageContext, T> run)
    {
        var stage = Add(name, material, parents, units, flops, ctx =>
        {
            var value = run(ctx);
            IO.AtomicFile.WriteAllText(Path.Combine(ctx.Directory, StageResult<T>.FileName), JsonSerializer.Serialize(value, IO.JsonMetadata.Indented.For<T>()));
        });
        return new StageResult<T>(stage, Folder(stage));
    }
}

/// <summary>A handle on a stage whose result is one JSON value; <see cref="Value"/> reads it once the stage is done.</summary>
internal sealed class StageResult<T>(GridStage stage, string folder)
{
    internal const string FileName = "result.json";
    private T? _value;
    private bool _read;

    /// <summary>The stage.</summary>
    public GridStage Stage { get; } = stage;

    /// <summary>The stage's hash, which children fold into their own keys.</summary>
    public string Key => Stage.Hash;

    /// <summary>The stage's result, read from its folder.</summary>
    public T Value
    {
        get
        {
            if (_read) return _value!;
            string file = Path.Combine(folder, FileName);
            if (!File.Exists(file)) throw new IncompleteGridException($"{file}: stage {Stage.Id} has no result yet; run it first");
            try
            {
                _value = JsonSerializer.Deserialize(File.ReadAllText(file), IO.JsonMetadata.Indented.For<T>()) ?? throw new InvalidCheckpointException($"{file}: empty");
            }
            catch (JsonException e)
            {
                throw new InvalidCheckpointException($"{file}: not a stage result ({e.Message})");
            }
            _read = true;
            return _value;
        }
    }
}
