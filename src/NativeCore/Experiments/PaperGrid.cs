using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Training;
using NativeCore.Verdicts;

namespace NativeCore.Experiments;

/// <summary>Hears the grid's progress: the planned total, then each unit of work.</summary>
internal interface IGridObserver
{
    /// <summary>The grid plans <paramref name="totalUnits"/> units (training steps, and step-equivalents for analysis).</summary>
    void Planned(long totalUnits);

    /// <summary><paramref name="units"/> more are done; <paramref name="stage"/> says what is running.</summary>
    void Advanced(long units, string stage);
}

/// <summary>
/// <c>nativecore paper</c>: the grammar-setting grid of spec §1 run through the trainer and the analysis tools, as a
/// <see cref="StageGraph"/>. Every stage lives in <c>stages/NAME-HASH</c>, keyed by a hash of its resolved config and
/// its parents; a done stage is reused, and a half-finished training stage resumes from its last checkpoint.
/// </summary>
internal sealed class PaperGrid : IExperimentGrid
{
    /// <summary>
    /// The prior of Scr., pre-trained from scratch on count b alone: the control for probes and pruning, and the parent
    /// of Scr.+FT. It is the low prior with a and b swapped and a's 0.1% set to zero, so that no grid's control has
    /// ever been asked to count a (a swapped high prior would ask it 30% of the time).
    /// </summary>
    public const string ControlPrior = "0,1,0";

    private const long AnalysisUnits = 100;
    private static readonly string[] ProbeTargets = ["count:a", "count:b"];

    private readonly RunConfig _config;
    private readonly string _outputDirectory;
    private readonly Func<IBackend> _backend;
    private readonly IGridObserver? _observer;
    private readonly Dictionary<string, StageResult<StageEvaluations>> _pretrained = new(StringComparer.Ordinal);
    private readonly List<(string Prior, double Lr, double Ctr, StageResult<StageEvaluations> Stage)> _finetunes = [];
    private readonly List<StageResult<IReadOnlyList<ProbeCell>>> _probes = [];
    private readonly List<StageResult<PruneCell>> _pruning = [];
    private readonly StageResult<IReadOnlyList<string>> _attention;
    private readonly List<StageResult<RevivalCell>> _revival = [];
    private readonly List<StageResult<RevivalCurve>> _baselines = [];
    private readonly StageResult<RevivalCurve> _scratch;

    /// <summary>The grid, with the backend made only when a stage first needs it (planning and submitting need none).</summary>
    public PaperGrid(RunConfig config, string outputDirectory, Func<IBackend> backend, IGridObserver? observer = null)
    {
        _config = config;
        _outputDirectory = outputDirectory;
        _backend = backend;
        _observer = observer;
        Graph = new StageGraph(outputDirectory);

        var grid = config.Grid;
        foreach (string prior in grid.Priors.Append(ControlPrior).Distinct())
            _pretrained[prior] = Pretrain(prior);
        foreach (string prior in grid.Priors)
            foreach (double lr in grid.LearningRates)
                foreach (double ctr in grid.CorrelatedShares)
                    _finetunes.Add((prior, lr, ctr, Finetune(prior, _pretrained[prior], lr, ctr)));

        // The control is Scr.: the model pre-trained from scratch on count b alone, which never counts a.
        var models = new List<(ModelId Id, StageResult<StageEvaluations> Stage)>();
        models.AddRange(grid.Priors.Select(p => (new ModelId(ModelRole.Pretrained, p), _pretrained[p])));
        models.AddRange(_finetunes.Select(f => (new ModelId(ModelRole.Finetuned, f.Prior, f.Lr, f.Ctr), f.Stage)));
        models.Add((new ModelId(ModelRole.Control, ControlPrior), _pretrained[ControlPrior]));

        _probes.AddRange(models.Select(m => Probe(m.Id, m.Stage)));
        _pruning.AddRange(models.Where(m => m.Id.Role != ModelRole.Pretrained).Select(m => Prune(m.Id, m.Stage)));
        _attention = Attention(_pretrained[grid.Priors[0]], FinetuneOf(grid.Priors[0], grid.LearningRates.Min(), grid.CorrelatedShares.Max()));
        foreach (string p in grid.Priors)
            foreach (double c in grid.CorrelatedShares)
                _revival.Add(Reft(p, c, FinetuneOf(p, grid.ReftFromLearningRate, c)));
        _baselines.Add(Baseline("Scr.+FT", _pretrained[ControlPrior]));
        _baselines.Add(Baseline("Scr.", null));
        _scratch = ScratchAtPretrainLr();
    }

    /// <inheritdoc/>
    internal StageGraph Graph { get; }

    StageGraph IExperimentGrid.Graph => Graph;

    GridReport IExperimentGrid.Report(double seconds) => Report(seconds);

    /// <summary>Runs every stage that is not done, in this process, and returns the results.</summary>
    public PaperResults Run()
    {
        OutputFolder.Claim(_outputDirectory, OutputFolder.Kinds.Paper);
        double seconds = GridRunner.RunAll(Graph, _observer);
        return Collect(seconds);
    }

    /// <summary>The results, read from the stages' folders; every stage must be done.</summary>
    public PaperResults Collect(double seconds) => new(_config,
        _pretrained.ToDictionary(kv => kv.Key, kv => kv.Value.Value),
        _finetunes.Select(f => new FinetuneCell(f.Prior, f.Lr, f.Ctr, f.Stage.Value)).ToList(),
        _pruning.Select(p => p.Value).ToList(), _probes.SelectMany(p => p.Value).ToList(), _attention.Value,
        _revival.Select(r => r.Value).ToList(), _baselines.Select(b => b.Value).ToList(), _scratch.Value, seconds);

    /// <inheritdoc/>
    internal GridReport Report(double seconds)
    {
        var results = Collect(seconds);
        return new GridReport($"paper grid finished in {results.Seconds / 60:F1} minutes of compute", PaperReport.Write(_outputDirectory, results));
    }

    private StageResult<StageEvaluations> FinetuneOf(string prior, double lr, double ctr) =>
        _finetunes.First(f => f.Prior == prior && f.Lr == lr && f.Ctr == ctr).Stage;

    private static string Lr(double lr) => lr.ToString("G3", CultureInfo.InvariantCulture);

    private static string Ctr(double ctr) => ctr.ToString(CultureInfo.InvariantCulture);

    private double StepFlops(StageConfig stage) => GridPlan.TrainingFlops(_config.Model, stage.BatchSize, 1);

    private StageResult<StageEvaluations> Pretrain(string prior)
    {
        // A pre-training reads neither the grid nor the fine-tuning recipe (only its task, which names the held-out
        // sets), so neither is part of its config: widening the grid or changing a fine-tune reuses the pre-trainings.
        var cfg = ConfigLoader.WithOverrides(_config, [$"data.prior={prior}"]) with
        {
            Grid = new GridConfig(),
            Finetune = new RunConfig().Finetune with { Task = _config.Finetune.Task },
        };
        return Graph.Add($"pretrain-{Slug(prior)}", "pretrain\n" + ConfigLoader.ToJson(cfg), [], cfg.Pretrain.Steps, cfg.Pretrain.Steps * StepFlops(cfg.Pretrain),
            ctx => Train(Stages.Pretrain(cfg, ctx.Directory, resume: true), ctx));
    }

    private StageResult<StageEvaluations> Finetune(string prior, StageResult<StageEvaluations> parent, double lr, double ctr)
    {
        var cfg = ConfigLoader.WithOverrides(_config, [$"data.prior={prior}"]) with
        {
            // The report reads a tenth of the way and the end (the paper's 1K and 10K); evaluating only there keeps a
            // quick grid's evaluation cost to two passes over the held-out sets.
            Finetune = _config.Finetune with { LearningRate = lr, CorrelatedShare = ctr, EvalAt = [Math.Max(1, _config.Finetune.Steps / 10)] },
        };
        return Graph.Add($"finetune-{Slug(prior)}-lr{Lr(lr)}-ctr{Ctr(ctr)}", "finetune\n" + ConfigLoader.ToJson(cfg), [parent.Stage],
            cfg.Finetune.Steps, cfg.Finetune.Steps * StepFlops(cfg.Finetune),
            ctx => Train(Stages.Finetune(cfg, parent.Value.Checkpoint, ctx.Directory, resume: true), ctx));
    }

    private StageEvaluations Train(TrainingJob job, StageContext ctx)
    {
        var result = Trainer.Run(job, _backend(), new TrainingProgress(ctx));
        var points = MetricsLog.Read(Path.Combine(job.OutputDirectory, "metrics.jsonl"))
            .Where(r => (string?)r["kind"] == "eval")
            .Select(r => new EvalPoint((long)r["step"]!, job.EvalSets.Select(s => new SetAccuracy(s.Name, (double)r["sets"]![s.Name]!["accuracy"]!, s.MajorityShare, s.Samples.Length)).ToList()))
            .ToList();
        return new StageEvaluations(result.CheckpointDirectory, points);
    }

    private static string ModelName(ModelId id) => id.Role switch
    {
        ModelRole.Control => "control",
        ModelRole.Pretrained => $"{Slug(id.Prior)}-pretrained",
        _ => $"{Slug(id.Prior)}-lr{Lr(id.LearningRate)}-ctr{Ctr(id.CorrelatedShare)}",
    };

    private PruneCell PruneBody(ModelId id, StageResult<StageEvaluations> model, StageContext ctx)
    {
        var grid = _config.Grid;
        using var m = LoadedModel.Load(model.Value.Checkpoint, _backend());
        var selection = PruneSelection.Run(m, grid.PruneK, PaperRules.MaxPruneUnits, grid.PruneEvalSize, m.Config.Eval.Size);
        Plots.Lines(Path.Combine(ctx.Directory, "prune.png"), $"Pruning neurons on count a: {id.Label} (selection split)", "units pruned (K)", "accuracy (%)",
            selection.Curve[0].Accuracies.Select((s, i) => new Series(s.Name, selection.Curve.Select(x => (double)x.K).ToList(), selection.Curve.Select(x => x.Accuracies[i].Accuracy * 100).ToList())).ToList(),
            horizontalLines: selection.Curve[0].Accuracies.Select(s => ($"majority share {s.Name}", s.MajorityShare * 100)).ToList());
        return new PruneCell(id, selection.K, selection.CapabilityBefore, selection.CapabilityAfter, selection.OtherBefore, selection.OtherAfter,
            selection.OtherCorrelatedBefore, selection.OtherCorrelatedAfter, selection.Curve,
            Path.GetRelativePath(_outputDirectory, Path.Combine(ctx.Directory, "prune.png")));
    }

    private StageResult<PruneCell> Prune(ModelId id, StageResult<StageEvaluations> model)
    {
        var grid = _config.Grid;
        string name = id.Role == ModelRole.Control ? "prune-control" : $"prune-{ModelName(id)}";
        return Graph.Add(name, $"prune\n{grid.PruneK}\n{grid.PruneEvalSize}\n{PaperRules.MaxPruneUnits}", [model.Stage], AnalysisUnits,
            AnalysisUnits * StepFlops(_config.Finetune), ctx => PruneBody(id, model, ctx));
    }

    private StageResult<IReadOnlyList<ProbeCell>> Probe(ModelId id, StageResult<StageEvaluations> model)
    {
        var grid = _config.Grid;
        return Graph.Add<IReadOnlyList<ProbeCell>>($"probe-{ModelName(id)}", $"probe\n{grid.ProbeIterations}\n{string.Join(',', ProbeTargets)}", [model.Stage],
            AnalysisUnits, AnalysisUnits * StepFlops(_config.Finetune), ctx =>
            {
                using var m = LoadedModel.Load(model.Value.Checkpoint, _backend());
                // Fresh samples for every model: the probe seed comes from the model's own stage key.
                var probeConfig = new ProbeConfig(Iterations: grid.ProbeIterations, Seed: Convert.ToUInt64(model.Key, 16));
                var results = AnalysisRuns.ProbeTargets(m, ProbeTargets, operand: 1, probeConfig, ctx.Directory);
                return ProbeTargets.Select((t, i) => new ProbeCell(id, t, results[i])).ToList();
            });
    }

    private StageResult<IReadOnlyList<string>> Attention(StageResult<StageEvaluations> before, StageResult<StageEvaluations> after) =>
        Graph.Add<IReadOnlyList<string>>("attention", "attention", [before.Stage, after.Stage], AnalysisUnits, AnalysisUnits * StepFlops(_config.Finetune), ctx =>
        {
            using var b = LoadedModel.Load(before.Value.Checkpoint, _backend());
            using var a = LoadedModel.Load(after.Value.Checkpoint, _backend());
            var files = AnalysisRuns.Attention([b, a], sampleSeed: 0, operand: 1, ctx.Directory);
            return files.Select(f => Path.GetRelativePath(_outputDirectory, f)).ToList();
        });

    private StageResult<RevivalCell> Reft(string prior, double ctr, StageResult<StageEvaluations> tuned)
    {
        var grid = _config.Grid;
        return Graph.Add($"reft-{Slug(prior)}-ctr{Ctr(ctr)}", $"reft\n{grid.ReftLearningRate}\n{grid.ReftSteps}\n{grid.ReftEvalEvery}", [tuned.Stage],
            grid.ReftSteps, grid.ReftSteps * StepFlops(_config.Finetune), ctx =>
            {
                string checkpoint = Checkpoint.Resolve(tuned.Value.Checkpoint);
                var cfg = ReverseFinetuning.RevivalConfig(Checkpoint.ReadSidecar(checkpoint).Config, grid.ReftLearningRate, grid.ReftSteps, grid.ReftEvalEvery);
                return new RevivalCell(prior, ctr, ReverseFinetuning.Run("reFT", cfg, checkpoint, Path.Combine(ctx.Directory, "run"), _backend(), new TrainingProgress(ctx)));
            });
    }

    /// <summary>A baseline at reFT's learning rate, schedule and batch: Scr.+FT from <paramref name="parent"/>, or Scr. from scratch.</summary>
    private StageResult<RevivalCurve> Baseline(string name, StageResult<StageEvaluations>? parent)
    {
        var grid = _config.Grid;
        var cfg = ReverseFinetuning.RevivalConfig(_config, grid.ReftLearningRate, grid.ReftSteps, grid.ReftEvalEvery);
        return Graph.Add(parent is null ? "baseline-scratch" : "baseline-scr-ft", $"baseline\n{name}\n{ConfigLoader.ToJson(cfg)}", parent is null ? [] : [parent.Stage],
            grid.ReftSteps, grid.ReftSteps * StepFlops(cfg.Finetune),
            ctx => ReverseFinetuning.Run(name, cfg, parent?.Value.Checkpoint, Path.Combine(ctx.Directory, "run"), _backend(), new TrainingProgress(ctx)));
    }

    private StageResult<RevivalCurve> ScratchAtPretrainLr()
    {
        var grid = _config.Grid;
        double lr = _config.Pretrain.LearningRate;
        var cfg = ReverseFinetuning.RevivalConfig(_config, lr, grid.ScratchSteps, grid.ReftEvalEvery);
        return Graph.Add("scratch-pretrain-lr", $"scratch\n{ConfigLoader.ToJson(cfg)}", [], grid.ScratchSteps, grid.ScratchSteps * StepFlops(cfg.Finetune),
            ctx => ReverseFinetuning.Run($"Scr. (lr {Lr(lr)})", cfg, null, Path.Combine(ctx.Directory, "run"), _backend(), new TrainingProgress(ctx)));
    }

    private static string Slug(string prior) => prior.Replace(',', '_');
}

/// <summary>Forwards training steps to a running stage's progress.</summary>
internal sealed class TrainingProgress(StageContext context) : ITrainingObserver
{
    public void Started(string stage, long firstStep, long totalSteps)
    {
        if (firstStep > 0) context.Note($"resumed at step {firstStep} of {totalSteps} from its last checkpoint");
        context.Advance(firstStep);
    }

    public void Stepped(StepRecord record) => context.Advance(1);

    public void Evaluated(long step, IReadOnlyList<SetAccuracy> results)
    {
    }

    public void Checkpointed(long step, string directory)
    {
    }
}
