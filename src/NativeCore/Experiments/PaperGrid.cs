using System.Globalization;
using System.Text.Json;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Training;
using NativeCore.Verdicts;

namespace NativeCore.Experiments;

/// <summary>Hears the grid's progress: the planned total, then each unit of work.</summary>
public interface IGridObserver
{
    /// <summary>The grid plans <paramref name="totalUnits"/> units (training steps, and step-equivalents for analysis).</summary>
    void Planned(long totalUnits);

    /// <summary><paramref name="units"/> more are done; <paramref name="stage"/> says what is running.</summary>
    void Advanced(long units, string stage);
}

/// <summary>
/// <c>nativecore paper</c>: the grammar-setting grid of spec §1 run through the trainer and the analysis tools.
/// Every stage lives in <c>stages/NAME-HASH</c>, keyed by a hash of its resolved config and its parents; a stage whose
/// <c>done.json</c> exists is reused, and a half-finished training stage resumes from its last checkpoint.
/// </summary>
public sealed class PaperGrid(RunConfig config, string outputDirectory, IBackend backend, IGridObserver? observer = null)
{
    /// <summary>
    /// The prior of Scr., pre-trained from scratch on count b alone: the control for probes and pruning, and the parent
    /// of Scr.+FT. It is the low prior with a and b swapped and a's 0.1% set to zero, so that no grid's control has
    /// ever been asked to count a (a swapped high prior would ask it 30% of the time).
    /// </summary>
    public const string ControlPrior = "0,1,0";

    private const long AnalysisUnits = 100;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, IncludeFields = true };
    private readonly IGridObserver? _observer = observer;
    private string _stage = "";

    /// <summary>Runs (or reuses) every stage and returns the results.</summary>
    public PaperResults Run()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        OutputFolder.Claim(outputDirectory, OutputFolder.Kinds.Paper);
        var grid = config.Grid;
        string first = grid.Priors[0];
        string swapped = ControlPrior;
        var ftLrs = grid.LearningRates;
        int finetunes = grid.Priors.Length * ftLrs.Length * grid.CorrelatedShares.Length;
        int reftCells = grid.Priors.Length * grid.CorrelatedShares.Length;
        // Probes: every pre-trained model, every fine-tune and the control; pruning: every fine-tune and the control.
        long planned = (grid.Priors.Length + 1) * (long)config.Pretrain.Steps + finetunes * (long)config.Finetune.Steps
            + (reftCells + 2L) * grid.ReftSteps + grid.ScratchSteps
            + (grid.Priors.Length + finetunes + 1 + finetunes + 1 + 1) * AnalysisUnits;
        _observer?.Planned(planned);

        var pretrained = new Dictionary<string, (string Key, StageEvaluations Result)>(StringComparer.Ordinal);
        foreach (string prior in grid.Priors.Append(swapped).Distinct())
            pretrained[prior] = Pretrain(prior);

        var cells = new List<FinetuneCell>();
        var ftKeys = new Dictionary<(string, double, double), (string Key, StageEvaluations Result)>();
        foreach (string prior in grid.Priors)
            foreach (double lr in ftLrs)
                foreach (double ctr in grid.CorrelatedShares)
                {
                    var ft = Finetune(prior, pretrained[prior], lr, ctr);
                    ftKeys[(prior, lr, ctr)] = ft;
                    cells.Add(new FinetuneCell(prior, lr, ctr, ft.Result));
                }

        // The control is Scr.: the model pre-trained from scratch on count b alone, which never counts a.
        var models = new List<(ModelId Id, (string Key, StageEvaluations Result) Stage)>();
        models.AddRange(grid.Priors.Select(p => (new ModelId(ModelRole.Pretrained, p), pretrained[p])));
        models.AddRange(ftKeys.Select(kv => (new ModelId(ModelRole.Finetuned, kv.Key.Item1, kv.Key.Item2, kv.Key.Item3), kv.Value)));
        models.Add((new ModelId(ModelRole.Control, swapped), pretrained[swapped]));

        var probes = models.SelectMany(m => Probe(m.Id, m.Stage)).ToList();
        var pruning = models.Where(m => m.Id.Role != ModelRole.Pretrained).Select(m => Prune(m.Id, m.Stage)).ToList();
        var attention = Attention(pretrained[first], ftKeys[(first, ftLrs.Min(), grid.CorrelatedShares.Max())]);
        var revival = (from p in grid.Priors from c in grid.CorrelatedShares select Reft(p, c, ftKeys[(p, grid.ReftFromLearningRate, c)])).ToList();
        var baselines = new List<RevivalCurve> { Baseline("Scr.+FT", pretrained[swapped]), Baseline("Scr.", null) };
        var scratchContext = ScratchAtPretrainLr();

        return new PaperResults(config, pretrained.ToDictionary(kv => kv.Key, kv => kv.Value.Result), cells,
            pruning, probes, attention, revival, baselines, scratchContext, clock.Elapsed.TotalSeconds);
    }

    private static string Lr(double lr) => lr.ToString("G3", CultureInfo.InvariantCulture);

    private static string Hash(string material) => StageKey.Hash(material);

    private string StageDir(string name, string key) => Path.Combine(outputDirectory, "stages", $"{name}-{key}");

    /// <summary>Runs <paramref name="run"/> once per key: later calls read its done.json instead.</summary>
    private T Cached<T>(string name, string key, long units, Func<string, T> run)
    {
        string dir = StageDir(name, key);
        string done = Path.Combine(dir, "done.json"), madeBy = Path.Combine(dir, "build.txt");
        string build = $"{BuildInfo.Version}+{BuildInfo.Commit}";
        if (File.Exists(done))
        {
            // A stage's numbers are only as good as the code that made them: another build's are not reused.
            string recorded = File.Exists(madeBy) ? File.ReadAllText(madeBy).Trim() : "an earlier build (no build.txt)";
            if (recorded != build)
                throw new InvalidConfigException($"{dir}: this stage was made by {recorded}, not by this build ({build}); run paper with a new --out");
            _observer?.Advanced(units, $"{name} (reused)");
            try
            {
                return JsonSerializer.Deserialize<T>(File.ReadAllText(done), Json) ?? throw new InvalidCheckpointException($"{done}: empty");
            }
            catch (JsonException e)
            {
                throw new InvalidCheckpointException($"{done}: not a stage result ({e.Message})");
            }
        }
        _stage = name;
        Directory.CreateDirectory(dir);
        var result = run(dir);
        AtomicFile.WriteAllText(madeBy, build);
        AtomicFile.WriteAllText(done, JsonSerializer.Serialize(result, Json));
        return result;
    }

    private (string Key, StageEvaluations Result) Pretrain(string prior)
    {
        var cfg = ConfigLoader.WithOverrides(config, [$"data.prior={prior}"]);
        string key = Hash("pretrain\n" + ConfigLoader.ToJson(cfg));
        string name = $"pretrain-{Slug(prior)}";
        var result = Cached(name, key, cfg.Pretrain.Steps, dir => Train(Stages.Pretrain(cfg, dir, resume: true)));
        return (key, result);
    }

    private (string Key, StageEvaluations Result) Finetune(string prior, (string Key, StageEvaluations Result) parent, double lr, double ctr)
    {
        var cfg = ConfigLoader.WithOverrides(config, [$"data.prior={prior}"]) with
        {
            // The report reads a tenth of the way and the end (the paper's 1K and 10K); evaluating only there keeps a
            // quick grid's evaluation cost to two passes over the held-out sets.
            Finetune = config.Finetune with { LearningRate = lr, CorrelatedShare = ctr, EvalAt = [Math.Max(1, config.Finetune.Steps / 10)] },
        };
        string key = Hash($"finetune\n{parent.Key}\n{ConfigLoader.ToJson(cfg)}");
        string name = $"finetune-{Slug(prior)}-lr{Lr(lr)}-ctr{ctr.ToString(CultureInfo.InvariantCulture)}";
        var result = Cached(name, key, cfg.Finetune.Steps, dir => Train(Stages.Finetune(cfg, parent.Result.Checkpoint, dir, resume: true)));
        return (key, result);
    }

    private StageEvaluations Train(TrainingJob job)
    {
        var adapter = new TrainingProgress(this);
        var result = Trainer.Run(job, backend, adapter);
        var points = MetricsLog.Read(Path.Combine(job.OutputDirectory, "metrics.jsonl"))
            .Where(r => (string?)r["kind"] == "eval")
            .Select(r => new EvalPoint((long)r["step"]!, job.EvalSets.Select(s => new SetAccuracy(s.Name, (double)r["sets"]![s.Name]!["accuracy"]!, s.MajorityShare, s.Samples.Length)).ToList()))
            .ToList();
        return new StageEvaluations(result.CheckpointDirectory, points);
    }

    private PruneCell Prune(ModelId id, (string Key, StageEvaluations Result) model)
    {
        var grid = config.Grid;
        string key = Hash($"prune\n{model.Key}\n{grid.PruneK}\n{grid.PruneEvalSize}\n{PaperRules.MaxPruneUnits}");
        string name = id.Role == ModelRole.Control ? "prune-control" : $"prune-{Slug(id.Prior)}-lr{Lr(id.LearningRate)}-ctr{id.CorrelatedShare.ToString(CultureInfo.InvariantCulture)}";
        return Cached(name, key, AnalysisUnits, dir =>
        {
            using var m = LoadedModel.Load(model.Result.Checkpoint, backend);
            var selection = PruneSelection.Run(m, grid.PruneK, PaperRules.MaxPruneUnits, grid.PruneEvalSize, m.Config.Eval.Size);
            Plots.Lines(Path.Combine(dir, "prune.png"), $"Pruning neurons on count a: {id.Label} (selection split)", "units pruned (K)", "accuracy (%)",
                selection.Curve[0].Accuracies.Select((s, i) => new Series(s.Name, selection.Curve.Select(x => (double)x.K).ToList(), selection.Curve.Select(x => x.Accuracies[i].Accuracy * 100).ToList())).ToList(),
                horizontalLines: selection.Curve[0].Accuracies.Select(s => ($"majority share {s.Name}", s.MajorityShare * 100)).ToList());
            _observer?.Advanced(AnalysisUnits, _stage);
            return new PruneCell(id, selection.K, selection.CapabilityBefore, selection.CapabilityAfter, selection.OtherBefore, selection.OtherAfter,
                selection.OtherCorrelatedBefore, selection.OtherCorrelatedAfter, selection.Curve,
                Path.GetRelativePath(outputDirectory, Path.Combine(dir, "prune.png")));
        });
    }

    private static readonly string[] ProbeTargets = ["count:a", "count:b"];

    private IReadOnlyList<ProbeCell> Probe(ModelId id, (string Key, StageEvaluations Result) model)
    {
        var grid = config.Grid;
        string key = Hash($"probe\n{model.Key}\n{grid.ProbeIterations}\n{string.Join(',', ProbeTargets)}");
        string name = id.Role switch
        {
            ModelRole.Control => "probe-control",
            ModelRole.Pretrained => $"probe-{Slug(id.Prior)}-pretrained",
            _ => $"probe-{Slug(id.Prior)}-lr{Lr(id.LearningRate)}-ctr{id.CorrelatedShare.ToString(CultureInfo.InvariantCulture)}",
        };
        return Cached(name, key, AnalysisUnits, dir =>
        {
            using var m = LoadedModel.Load(model.Result.Checkpoint, backend);
            // Fresh samples for every model: the probe seed comes from the model's own stage key.
            var probeConfig = new ProbeConfig(Iterations: grid.ProbeIterations, Seed: Convert.ToUInt64(model.Key, 16));
            var results = AnalysisRuns.ProbeTargets(m, ProbeTargets, operand: 1, probeConfig, dir);
            _observer?.Advanced(AnalysisUnits, _stage);
            return (IReadOnlyList<ProbeCell>)ProbeTargets.Select((t, i) => new ProbeCell(id, t, results[i])).ToList();
        });
    }

    private IReadOnlyList<string> Attention((string Key, StageEvaluations Result) before, (string Key, StageEvaluations Result) after)
    {
        string key = Hash($"attention\n{before.Key}\n{after.Key}");
        return Cached("attention", key, AnalysisUnits, dir =>
        {
            using var b = LoadedModel.Load(before.Result.Checkpoint, backend);
            using var a = LoadedModel.Load(after.Result.Checkpoint, backend);
            var files = AnalysisRuns.Attention([b, a], sampleSeed: 0, operand: 1, dir);
            _observer?.Advanced(AnalysisUnits, _stage);
            return (IReadOnlyList<string>)files.Select(f => Path.GetRelativePath(outputDirectory, f)).ToList();
        });
    }

    private RevivalCell Reft(string prior, double ctr, (string Key, StageEvaluations Result) tuned)
    {
        var grid = config.Grid;
        string key = Hash($"reft\n{tuned.Key}\n{grid.ReftLearningRate}\n{grid.ReftSteps}\n{grid.ReftEvalEvery}");
        string name = $"reft-{Slug(prior)}-ctr{ctr.ToString(CultureInfo.InvariantCulture)}";
        return Cached(name, key, grid.ReftSteps, dir =>
        {
            string checkpoint = Checkpoint.Resolve(tuned.Result.Checkpoint);
            var cfg = ReverseFinetuning.RevivalConfig(Checkpoint.ReadSidecar(checkpoint).Config, grid.ReftLearningRate, grid.ReftSteps, grid.ReftEvalEvery);
            return new RevivalCell(prior, ctr, ReverseFinetuning.Run("reFT", cfg, checkpoint, Path.Combine(dir, "run"), backend, new TrainingProgress(this)));
        });
    }

    /// <summary>A baseline at reFT's learning rate, schedule and batch: Scr.+FT from <paramref name="parent"/>, or Scr. from scratch.</summary>
    private RevivalCurve Baseline(string name, (string Key, StageEvaluations Result)? parent)
    {
        var grid = config.Grid;
        var cfg = ReverseFinetuning.RevivalConfig(config, grid.ReftLearningRate, grid.ReftSteps, grid.ReftEvalEvery);
        string key = Hash($"baseline\n{name}\n{parent?.Key}\n{ConfigLoader.ToJson(cfg)}");
        return Cached(parent is null ? "baseline-scratch" : "baseline-scr-ft", key, grid.ReftSteps,
            dir => ReverseFinetuning.Run(name, cfg, parent?.Result.Checkpoint, Path.Combine(dir, "run"), backend, new TrainingProgress(this)));
    }

    private RevivalCurve ScratchAtPretrainLr()
    {
        var grid = config.Grid;
        double lr = config.Pretrain.LearningRate;
        var cfg = ReverseFinetuning.RevivalConfig(config, lr, grid.ScratchSteps, grid.ReftEvalEvery);
        string key = Hash($"scratch\n{ConfigLoader.ToJson(cfg)}");
        return Cached("scratch-pretrain-lr", key, grid.ScratchSteps,
            dir => ReverseFinetuning.Run($"Scr. (lr {Lr(lr)})", cfg, null, Path.Combine(dir, "run"), backend, new TrainingProgress(this)));
    }

    private static string Slug(string prior) => prior.Replace(',', '_');

    /// <summary>Forwards training steps to the grid observer as units.</summary>
    private sealed class TrainingProgress(PaperGrid grid) : ITrainingObserver
    {
        public void Started(string stage, long firstStep, long totalSteps) => grid._observer?.Advanced(firstStep, grid._stage);

        public void Stepped(StepRecord record) => grid._observer?.Advanced(1, grid._stage);

        public void Evaluated(long step, IReadOnlyList<SetAccuracy> results)
        {
        }

        public void Checkpointed(long step, string directory)
        {
        }
    }
}
