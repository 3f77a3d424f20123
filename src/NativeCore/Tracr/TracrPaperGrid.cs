using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Training;

namespace NativeCore.Tracr;

/// <summary>
/// <c>nativecore paper --setting tracr</c>: the starting-point scan, both compiled programs, Table 3's fine-tunes
/// (every lr × C_Tr), single-weight pruning and reFT of every Counter fine-tune, and the control (the Counter's
/// architecture from random weights, fine-tuned and revived by the same recipes), as a <see cref="StageGraph"/>.
/// Every stage lives in <c>stages/NAME-HASH</c>, keyed by its recipe and parents; a done one is reused, an
/// interrupted training stage resumes. The Counter's N is read from the scan when its compile stage runs, so the graph
/// is fixed before any stage has run.
/// </summary>
internal sealed class TracrPaperGrid : IExperimentGrid
{
    private const long AnalysisUnits = 50;
    private const string Counter = "counter", MaxId = "maxid";
    private const string DivergedFile = "diverged.txt";

    /// <summary>The source lr of the control's fine-tune: the spec's example of a fine-tune that reFT revives (tracr.md §4).</summary>
    public const double ControlLearningRate = 1e-2;

    private readonly TracrPaperConfig _config;
    private readonly string _outputDirectory;
    private readonly Func<IBackend> _backend;
    private readonly IGridObserver? _observer;
    private readonly StageResult<ScanResult> _scan;
    private readonly List<(string Program, double Lr, double Ctr, GridStage Stage)> _finetunes = [];
    private readonly List<StageResult<Optional<TracrPruning>>> _pruning = [];
    private readonly StageResult<Optional<TracrPruning>> _controlPruning;
    private readonly List<StageResult<Optional<TracrRevival>>> _revivals = [];
    private readonly StageResult<Optional<TracrRevival>> _controlRevival;

    /// <summary>The grid, with the backend made only when a stage first needs it.</summary>
    public TracrPaperGrid(TracrPaperConfig config, string outputDirectory, Func<IBackend> backend, IGridObserver? observer = null)
    {
        config.Validate();
        _config = config;
        _outputDirectory = outputDirectory;
        _backend = backend;
        _observer = observer;
        Graph = new StageGraph(outputDirectory);

        _scan = Graph.Add("starting-point", $"scan\n{Counter}\n{string.Join(',', config.ScanLengths)}\n{string.Join(',', config.ScanStds.Select(G))}\n{config.ScanSeeds}\n{config.EvalSize}",
            [], config.ScanLengths.Length * config.ScanStds.Length * AnalysisUnits, 0, ctx =>
            {
                var cells = StartingPoint.Scan(Counter, config.ScanLengths, config.ScanStds, config.ScanSeeds, config.EvalSize, _backend(),
                    cell => ctx.Advance(AnalysisUnits, string.Create(CultureInfo.InvariantCulture, $"starting point N={cell.MaxLength}, noise {cell.NoiseStd:G}")));
                StartingPoint.WriteCsv(Path.Combine(ctx.Directory, "starting-point.csv"), cells);
                return new ScanResult(cells, StartingPoint.Choose(cells));
            });
        var programs = new Dictionary<string, GridStage>
        {
            [Counter] = Compile(Counter, $"{Counter}-compiled", [_scan.Stage], () => _scan.Value.CounterLength(config)),
            [MaxId] = Compile(MaxId, $"{MaxId}-compiled-n{config.MaxIdLength}", [], () => config.MaxIdLength),
        };

        foreach (var (program, compiled) in programs)
            foreach (double lr in config.LearningRates)
                foreach (double ctr in config.CorrelatedShares)
                    _finetunes.Add((program, lr, ctr, Train(compiled, config.Finetune(lr, ctr), program + "-ft", $"{program}-ft-lr{G(lr)}-ctr{G(ctr)}")));

        var scratch = Scratch(programs[Counter]);
        var controlFt = Train(scratch, config.Finetune(ControlLearningRate, 1), "control-ft", "control-ft");
        _controlPruning = Prune(controlFt, "prune-control", $"control: random weights fine-tuned at lr {ControlLearningRate:G2}, C_Tr 1", ControlLearningRate, 1);
        foreach (var (_, lr, ctr, stage) in _finetunes.Where(f => f.Program == Counter))
            _pruning.Add(Prune(stage, $"prune-lr{G(lr)}-ctr{G(ctr)}", $"lr {lr:G2}, C_Tr {ctr:G}", lr, ctr));
        foreach (var (_, lr, ctr, stage) in _finetunes.Where(f => f.Program == Counter))
            _revivals.Add(Reft(stage, lr, ctr, string.Create(CultureInfo.InvariantCulture, $"reFT from lr {lr:G2}, C_Tr {ctr:G}")));
        _controlRevival = Reft(scratch, 0, 0, "control: random weights to count a");
    }

    /// <inheritdoc/>
    internal StageGraph Graph { get; }

    StageGraph IExperimentGrid.Graph => Graph;

    GridReport IExperimentGrid.Report(double seconds) => Report(seconds);

    /// <summary>Runs every stage that is not done, in this process, and returns the results.</summary>
    public TracrPaperResults Run()
    {
        OutputFolder.Claim(_outputDirectory, OutputFolder.Kinds.Paper);
        return Collect(GridRunner.RunAll(Graph, _observer));
    }

    /// <summary>The results, read from the stages' folders; every stage must be done.</summary>
    public TracrPaperResults Collect(double seconds)
    {
        var scan = _scan.Value;
        var cells = _finetunes.Select(f =>
        {
            var (history, diverged) = Outcome(f.Stage);
            return new TracrCell(f.Program, f.Lr, f.Ctr, history[0].Accuracies, history[^1].Accuracies, diverged);
        }).ToList();
        return new TracrPaperResults(_config, scan.Cells, scan.CounterLength(_config), scan.Chosen is not null, cells,
            _pruning.Select(p => p.Value.Item).OfType<TracrPruning>().ToList(), _controlPruning.Value.Item,
            _revivals.Select(r => r.Value.Item).OfType<TracrRevival>().ToList(), _controlRevival.Value.Item!, seconds);
    }

    /// <inheritdoc/>
    internal GridReport Report(double seconds)
    {
        var results = Collect(seconds);
        StartingPoint.WriteCsv(Path.Combine(_outputDirectory, "starting-point.csv"), results.Scan);
        return new GridReport($"tracr grid finished in {results.Seconds / 60:F1} minutes of compute; the Counter ran at N = {results.CounterLength}",
            TracrPaperReport.Write(_outputDirectory, results));
    }

    private static string G(double x) => x.ToString("G", CultureInfo.InvariantCulture);

    private string Folder(GridStage stage) => Graph.Folder(stage);

    // The Counter at the largest scanned N bounds every training stage's cost.
    private double _stepFlops = -1;

    private double StepFlops()
    {
        if (_stepFlops < 0)
            _stepFlops = GridPlan.TrainingFlops(TracrPrograms.Compile(Counter, new TracrOptions(_config.ScanLengths.Max())).Config, new TracrRecipe().BatchSize, 1);
        return _stepFlops;
    }

    private GridStage Compile(string program, string name, IReadOnlyList<GridStage> parents, Func<int> length) =>
        Graph.Add(name, program, parents, 0, 0, ctx =>
        {
            int n = length();
            var model = TracrPrograms.Compile(program, new TracrOptions(n)) with { Lineage = new TracrLineage { Stage = "compile" } };
            OutputFolder.Claim(ctx.Directory, OutputFolder.Kinds.TracrModel);
            model.Save(ctx.Directory);
        });

    /// <summary>
    /// The control: the Counter's architecture with every trained weight drawn afresh (minGPT's normal init, the grid's
    /// seed) and Tracr's fixed readout kept, so that it has the model's shape and output but never had the capability.
    /// </summary>
    private GridStage Scratch(GridStage compiledStage) =>
        Graph.Add("control-random", $"control\n{_config.Seed}", [compiledStage], 0, 0, ctx =>
        {
            string compiledDir = Folder(compiledStage);
            var compiled = CompiledModel.Load(compiledDir);
            using var gpt = compiled.Build(_backend());
            var readout = gpt.Param("lm_head.weight").ToArray();
            gpt.InitializeWeights(Seeds.Control(_config.Seed));
            var head = gpt.Param("lm_head.weight");
            head.Buffer.CopyFromHost(readout, head.Offset);
            var model = compiled.WithWeights(gpt) with
            {
                Lineage = new TracrLineage
                {
                    Stage = "control", Parent = ParentRef.Of(compiledDir, "compile"),
                    Settings = new Dictionary<string, string> { ["init"] = "minGPT normal(0, 0.02) on every trained weight; the readout kept", ["seed"] = _config.Seed.ToString(CultureInfo.InvariantCulture) },
                },
            };
            OutputFolder.Claim(ctx.Directory, OutputFolder.Kinds.TracrModel);
            model.Save(ctx.Directory);
        });

    /// <summary>
    /// Trains the model of <paramref name="parent"/> by <paramref name="recipe"/>. A divergence is a result of the recipe
    /// at that lr, so it is recorded in the stage (diverged.txt) and reported, not retried.
    /// </summary>
    private GridStage Train(GridStage parent, TracrRecipe recipe, string stage, string name) =>
        Graph.Add(name, $"{stage}\n{recipe.Reverse}\n{System.Text.Json.JsonSerializer.Serialize(recipe, IO.JsonMetadata.Compact.For<TracrRecipe>())}", [parent], recipe.Steps, recipe.Steps * StepFlops(), ctx =>
        {
            string parentDir = Folder(parent);
            bool resume = Directory.Exists(Path.Combine(ctx.Directory, "checkpoints"));
            try
            {
                TracrTraining.Train(CompiledModel.Load(parentDir), parentDir, recipe, _backend(), ctx.Directory, stage, resume: resume);
            }
            catch (NumericalDivergenceException e)
            {
                AtomicFile.WriteAllText(Path.Combine(ctx.Directory, DivergedFile), e.Message + "\n");
            }
        });

    /// <summary>A training stage's evaluations and its divergence message, if any.</summary>
    private (List<(long Step, IReadOnlyList<SetAccuracy> Accuracies)> History, string? Diverged) Outcome(GridStage stage)
    {
        string dir = Folder(stage), diverged = Path.Combine(dir, DivergedFile);
        return (TracrTraining.History(Path.Combine(dir, "metrics.jsonl")), File.Exists(diverged) ? File.ReadAllText(diverged).Trim() : null);
    }

    /// <summary>reFT back to count a; a run that diverges keeps the curve up to its last evaluation. Nothing runs from a diverged parent.</summary>
    private StageResult<Optional<TracrRevival>> Reft(GridStage from, double fromLr, double ctr, string label)
    {
        var recipe = _config.Reft();
        string name = fromLr == 0 ? "reft-control" : $"reft-lr{G(fromLr)}-ctr{G(ctr)}";
        return Graph.Add(name, $"reft\n{System.Text.Json.JsonSerializer.Serialize(recipe, IO.JsonMetadata.Compact.For<TracrRecipe>())}\n{label}", [from], recipe.Steps, recipe.Steps * StepFlops(), ctx =>
        {
            if (File.Exists(Path.Combine(Folder(from), DivergedFile))) return new Optional<TracrRevival>(null);
            var fromModel = CompiledModel.Load(Folder(from));
            bool resume = Directory.Exists(Path.Combine(ctx.Directory, "checkpoints"));
            string? diverged = null;
            try
            {
                TracrTraining.Train(fromModel, Folder(from), recipe, _backend(), ctx.Directory, "reft", resume: resume);
            }
            catch (NumericalDivergenceException e)
            {
                diverged = e.Message;
            }
            var history = TracrTraining.History(Path.Combine(ctx.Directory, "metrics.jsonl"));
            string capability = TracrTask.For(fromModel).SetName(correlated: false);
            var steps = history.Select(h => h.Item1).ToList();
            var acc = history.Select(h => h.Item2.First(a => a.Name == capability).Accuracy).ToList();
            long? To(double level) => history.Where(h => h.Item2.First(a => a.Name == capability).Accuracy >= level).Select(h => (long?)h.Item1).FirstOrDefault();
            var curve = new RevivalCurve(diverged is null ? label : label + " (diverged)", steps, acc, To(0.9), To(0.99), history[0].Item2.First(a => a.Name == capability).Size);
            return new Optional<TracrRevival>(new TracrRevival(fromLr, ctr, curve, diverged));
        });
    }

    /// <summary>Single-weight pruning of a fine-tune on count a; nothing runs from a diverged parent.</summary>
    private StageResult<Optional<TracrPruning>> Prune(GridStage model, string name, string label, double lr, double ctr) =>
        Graph.Add(name, $"prune\n{_config.PruneK}\n{label}", [model], AnalysisUnits, 0, ctx =>
        {
            string modelDir = Folder(model);
            if (File.Exists(Path.Combine(modelDir, DivergedFile))) return new Optional<TracrPruning>(null);
            var curve = TracrAnalysis.Prune(modelDir, PruneUnit.Weights, _config.PruneK, ctx.Directory, _backend());
            string capability = TracrTask.For(CompiledModel.Load(modelDir)).SetName(correlated: false);
            SetAccuracy At(int k) => curve[Math.Min(k, curve.Count - 1)].Accuracies.First(a => a.Name == capability);
            var removed = curve.Count > 1 && curve[1].Removed is { } r ? $"{r.Parameter}[{r.Index}]" : "nothing";
            return new Optional<TracrPruning>(new TracrPruning(label, lr, ctr, At(0), At(1), removed, curve,
                Path.GetRelativePath(_outputDirectory, Path.Combine(ctx.Directory, "prune.png"))));
        });

    /// <summary>The starting-point scan and the N it chose (null when no N works at the spec's noise).</summary>
    internal sealed record ScanResult(IReadOnlyList<StartingPointCell> Cells, int? Chosen)
    {
        /// <summary>The Counter's N: the chosen one, else the smallest scanned.</summary>
        public int CounterLength(TracrPaperConfig config) => Chosen ?? config.ScanLengths.Min();
    }
}

/// <summary>A stage result that may be absent (a stage that had nothing to do, e.g. pruning a diverged run).</summary>
/// <param name="Item">The result, or null.</param>
internal sealed record Optional<T>(T? Item) where T : class;
