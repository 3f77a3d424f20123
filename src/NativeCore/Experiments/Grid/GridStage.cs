namespace NativeCore.Experiments;

/// <summary>
/// One stage of an experiment grid: a unit of work that one process (a local run, or one Slurm job) runs to completion,
/// reading only its parents' folders and writing only its own, <c>stages/ID</c>.
/// </summary>
internal sealed class GridStage
{
    internal GridStage(string name, string hash, IReadOnlyList<GridStage> parents, long units, double flops, Action<StageContext> body)
    {
        Name = name;
        Hash = hash;
        ParentStages = parents;
        Units = units;
        EstimatedFlops = flops;
        Body = body;
    }

    /// <summary>What the stage is, e.g. <c>finetune-high-lr0.0001-ctr1</c>.</summary>
    public string Name { get; }

    /// <summary>12 hex digits of the hash of everything that decides the stage's result, its parents' ids included.</summary>
    public string Hash { get; }

    /// <summary>The stage's key: <c>NAME-HASH</c>, its folder under <c>stages/</c>, and what <c>nativecore stage run</c> takes.</summary>
    public string Id => $"{Name}-{Hash}";

    /// <summary>The stages whose outputs this one reads; they must be done before it starts.</summary>
    public IReadOnlyList<GridStage> ParentStages { get; }

    /// <summary>The parents' ids.</summary>
    public IEnumerable<string> Parents => ParentStages.Select(p => p.Id);

    /// <summary>Progress units of the stage: its training steps, or step-equivalents for analysis.</summary>
    public long Units { get; }

    /// <summary>Estimated floating-point operations of the stage, for planning (see <see cref="GridPlan"/>).</summary>
    public double EstimatedFlops { get; }

    internal Action<StageContext> Body { get; }

    /// <inheritdoc/>
    public override string ToString() => Id;
}

/// <summary>What a running stage sees: its folder, the run folder, and a way to report progress.</summary>
internal sealed class StageContext
{
    private readonly Action<long, string>? _advance;
    private readonly TextWriter? _log;

    internal StageContext(GridStage stage, string runDirectory, Action<long, string>? advance, TextWriter? log = null)
    {
        _log = log;
        Stage = stage;
        RunDirectory = runDirectory;
        Directory = Path.Combine(runDirectory, "stages", stage.Id);
        _advance = advance;
    }

    /// <summary>The stage being run.</summary>
    public GridStage Stage { get; }

    /// <summary>The grid's run folder (the store).</summary>
    public string RunDirectory { get; }

    /// <summary>The stage's own folder, <c>RUN/stages/ID</c>.</summary>
    public string Directory { get; }

    /// <summary>Units advanced so far; the executor tops the stage up to <see cref="GridStage.Units"/> when it ends.</summary>
    public long Advanced { get; private set; }

    /// <summary>Writes a line about the stage to the worker's log (a Slurm job's output file), when it has one.</summary>
    public void Note(string line) => _log?.WriteLine($"stage {Stage.Id}: {line}");

    /// <summary>Reports <paramref name="units"/> more units done, at most the stage's total.</summary>
    public void Advance(long units, string? what = null)
    {
        long step = Math.Clamp(units, 0, Math.Max(0, Stage.Units - Advanced));
        Advanced += step;
        _advance?.Invoke(step, what ?? Stage.Name);
    }
}
