using System.Globalization;
using System.Text.Json;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Training;

namespace NativeCore.Tracr;

/// <summary>
/// <c>nativecore paper --setting tracr</c>: the starting-point scan, both compiled programs, Table 3's fine-tunes
/// (every lr × C_Tr), single-weight pruning and reFT of every Counter fine-tune, and the control (the Counter's
/// architecture from random weights, fine-tuned and revived by the same recipes). Every training stage lives in
/// <c>stages/NAME-HASH</c>, keyed by its recipe and parent; a finished one is reused, an interrupted one resumes.
/// </summary>
public sealed class TracrPaperGrid(TracrPaperConfig config, string outputDirectory, IBackend backend, IGridObserver? observer = null)
{
    private const long AnalysisUnits = 50;
    private const string Counter = "counter", MaxId = "maxid";

    /// <summary>The source lr of the control's fine-tune: the spec's example of a fine-tune that reFT revives (tracr.md §4).</summary>
    public const double ControlLearningRate = 1e-2;

    /// <summary>Runs (or reuses) every stage and returns the results.</summary>
    public TracrPaperResults Run()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        config.Validate();
        OutputFolder.Claim(outputDirectory, OutputFolder.Kinds.Paper);
        int cells = 2 * config.LearningRates.Length * config.CorrelatedShares.Length, counterCells = cells / 2;
        long planned = config.ScanLengths.Length * config.ScanStds.Length * AnalysisUnits + cells * (long)config.Steps + config.Steps
            + (counterCells + 1L) * (config.ReftSteps + AnalysisUnits);
        _planned = planned;
        observer?.Planned(planned);

        var scan = StartingPoint.Scan(Counter, config.ScanLengths, config.ScanStds, config.ScanSeeds, config.EvalSize, backend,
            cell => Advance(AnalysisUnits, string.Create(CultureInfo.InvariantCulture, $"starting point N={cell.MaxLength}, noise {cell.NoiseStd:G}")));
        StartingPoint.WriteCsv(Path.Combine(outputDirectory, "starting-point.csv"), scan);
        int? chosen = StartingPoint.Choose(scan);
        int n = chosen ?? config.ScanLengths.Min();

        var programs = new Dictionary<string, (CompiledModel Model, string Dir)>
        {
            [Counter] = Compiled(Counter, n),
            [MaxId] = Compiled(MaxId, config.MaxIdLength),
        };

        var results = new List<TracrCell>();
        var counterRuns = new List<(TracrCell Cell, CompiledModel Model, string Dir)>();
        foreach (var (program, (model, dir)) in programs)
            foreach (double lr in config.LearningRates)
                foreach (double ctr in config.CorrelatedShares)
                {
                    var run = Train(model, dir, config.Finetune(lr, ctr), program + "-ft", $"{program} lr {lr:G2}, C_Tr {ctr:G}");
                    var cell = new TracrCell(program, lr, ctr, run.History[0].Accuracies, run.History[^1].Accuracies, run.Diverged);
                    results.Add(cell);
                    if (program == Counter && run.Model is { } trained) counterRuns.Add((cell, trained, run.Dir));
                }

        var (counterModel, counterDir) = programs[Counter];
        var (scratch, scratchDir) = Scratch(counterModel, counterDir);
        var controlFt = Train(scratch, scratchDir, config.Finetune(ControlLearningRate, 1), "control-ft", "control fine-tune");
        var controlPruning = controlFt.Model is null ? null : Prune(controlFt.Dir, $"control: random weights fine-tuned at lr {ControlLearningRate:G2}, C_Tr 1", ControlLearningRate, 1);
        var pruning = counterRuns.Select(r => Prune(r.Dir, $"lr {r.Cell.LearningRate:G2}, C_Tr {r.Cell.CorrelatedShare:G}", r.Cell.LearningRate, r.Cell.CorrelatedShare)).ToList();

        var revivals = counterRuns.Select(r => Reft(r.Model, r.Dir, r.Cell.LearningRate, r.Cell.CorrelatedShare,
            string.Create(CultureInfo.InvariantCulture, $"reFT from lr {r.Cell.LearningRate:G2}, C_Tr {r.Cell.CorrelatedShare:G}"))).ToList();
        var controlRevival = Reft(scratch, scratchDir, 0, 0, "control: random weights to count a");

        // Runs that diverged skip their pruning and reFT; the plan counted them.
        if (_planned > _done) Advance(_planned - _done, "done");
        return new TracrPaperResults(config, scan, n, chosen is not null, results, pruning, controlPruning, revivals, controlRevival, clock.Elapsed.TotalSeconds);
    }

    private long _planned, _done;

    private void Advance(long units, string stage)
    {
        _done += units;
        observer?.Advanced(units, stage);
    }

    /// <summary>A stage folder keyed by <paramref name="name"/> and a hash of what decides its result.</summary>
    private string StageDir(string name, string key) => StageKey.Folder(outputDirectory, name, key);

    private (CompiledModel, string) Compiled(string program, int n)
    {
        string dir = StageDir($"{program}-compiled-n{n}", $"{program}|{n}");
        if (File.Exists(Path.Combine(dir, "model.safetensors"))) return (CompiledModel.Load(dir), dir);
        var model = TracrPrograms.Compile(program, new TracrOptions(n)) with { Lineage = new TracrLineage { Stage = "compile" } };
        OutputFolder.Claim(dir, OutputFolder.Kinds.TracrModel);
        model.Save(dir);
        Advance(0, $"compiled {program}, N = {n}");
        return (model, dir);
    }

    /// <summary>
    /// The control: the Counter's architecture with every trained weight drawn afresh (minGPT's normal init, the grid's
    /// seed) and Tracr's fixed readout kept, so that it has the model's shape and output but never had the capability.
    /// </summary>
    private (CompiledModel, string) Scratch(CompiledModel compiled, string compiledDir)
    {
        string dir = StageDir("control-random", $"{Path.GetFileName(compiledDir)}|{config.Seed}");
        if (File.Exists(Path.Combine(dir, "model.safetensors"))) return (CompiledModel.Load(dir), dir);
        using var gpt = compiled.Build(backend);
        var readout = gpt.Param("lm_head.weight").ToArray();
        gpt.InitializeWeights(Seeds.Control(config.Seed));
        var head = gpt.Param("lm_head.weight");
        head.Buffer.CopyFromHost(readout, head.Offset);
        var model = compiled.WithWeights(gpt) with
        {
            Lineage = new TracrLineage
            {
                Stage = "control", Parent = ParentRef.Of(compiledDir, "compile"),
                Settings = new Dictionary<string, string> { ["init"] = "minGPT normal(0, 0.02) on every trained weight; the readout kept", ["seed"] = config.Seed.ToString(CultureInfo.InvariantCulture) },
            },
        };
        OutputFolder.Claim(dir, OutputFolder.Kinds.TracrModel);
        model.Save(dir);
        return (model, dir);
    }

    /// <summary>
    /// Trains <paramref name="parent"/> by <paramref name="recipe"/>, or reuses the finished stage; returns the model (null
    /// when training diverged), its folder, its evaluations, and the divergence message if any. A divergence is a result
    /// of the recipe at that lr, so it is recorded in the stage (diverged.txt) and reported, not retried.
    /// </summary>
    private StageRun Train(CompiledModel parent, string parentDir, TracrRecipe recipe, string name, string label)
    {
        string key = $"{Path.GetFileName(parentDir)}|{recipe.Reverse}|{JsonSerializer.Serialize(recipe)}";
        string dir = StageDir(name, key);
        string metrics = Path.Combine(dir, "metrics.jsonl"), diverged = Path.Combine(dir, DivergedFile);
        if (File.Exists(diverged) || Finished(dir, recipe.Steps))
        {
            Advance(recipe.Steps, label + " (reused)");
            return File.Exists(diverged)
                ? new StageRun(null, dir, TracrTraining.History(metrics), File.ReadAllText(diverged).Trim())
                : new StageRun(CompiledModel.Load(dir), dir, TracrTraining.History(metrics), null);
        }
        bool resume = Directory.Exists(Path.Combine(dir, "checkpoints"));
        try
        {
            var run = TracrTraining.Train(parent, parentDir, recipe, backend, dir, name, resume: resume);
            Advance(recipe.Steps, label);
            return new StageRun(run.Model, dir, TracrTraining.History(metrics), null);
        }
        catch (NumericalDivergenceException e)
        {
            AtomicFile.WriteAllText(diverged, e.Message + "\n");
            Advance(recipe.Steps, label + " (diverged)");
            return new StageRun(null, dir, TracrTraining.History(metrics), e.Message);
        }
    }

    private const string DivergedFile = "diverged.txt";

    /// <summary>A training stage's outcome: the model (null when it diverged), its folder, its evaluations, the divergence message.</summary>
    private sealed record StageRun(CompiledModel? Model, string Dir, List<(long Step, IReadOnlyList<SetAccuracy> Accuracies)> History, string? Diverged);

    private static bool Finished(string dir, long steps) =>
        File.Exists(Path.Combine(dir, "model.safetensors")) && File.Exists(Path.Combine(dir, CompiledModel.SidecarName))
        && CompiledModel.Load(dir).Lineage?.Step == steps;

    /// <summary>reFT back to count a; a run that diverges keeps the curve up to its last evaluation.</summary>
    private TracrRevival Reft(CompiledModel from, string fromDir, double fromLr, double ctr, string label)
    {
        var run = Train(from, fromDir, config.Reft(), "reft", label);
        string capability = TracrTask.For(from).SetName(correlated: false);
        var history = run.History;
        var steps = history.Select(h => h.Step).ToList();
        var acc = history.Select(h => h.Accuracies.First(a => a.Name == capability).Accuracy).ToList();
        long? To(double level) => history.Where(h => h.Accuracies.First(a => a.Name == capability).Accuracy >= level).Select(h => (long?)h.Step).FirstOrDefault();
        var curve = new RevivalCurve(run.Diverged is null ? label : label + " (diverged)", steps, acc, To(0.9), To(0.99), history[0].Accuracies.First(a => a.Name == capability).Size);
        return new TracrRevival(fromLr, ctr, curve, run.Diverged);
    }

    private TracrPruning Prune(string modelDir, string label, double lr, double ctr)
    {
        string relative = Path.Combine("pruning", Path.GetFileName(modelDir));
        string outDir = Path.Combine(outputDirectory, relative);
        var curve = TracrAnalysis.Prune(modelDir, PruneUnit.Weights, config.PruneK, outDir, backend);
        Advance(AnalysisUnits, "pruning " + label);
        string capability = TracrTask.For(CompiledModel.Load(modelDir)).SetName(correlated: false);
        SetAccuracy At(int k) => curve[Math.Min(k, curve.Count - 1)].Accuracies.First(a => a.Name == capability);
        var removed = curve.Count > 1 && curve[1].Removed is { } r ? $"{r.Parameter}[{r.Index}]" : "nothing";
        return new TracrPruning(label, lr, ctr, At(0), At(1), removed, curve, Path.Combine(relative, "prune.png"));
    }
}
