using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Training;

namespace NativeCore.Experiments;

/// <summary>The evaluations of one training stage, as (step, results) pairs.</summary>
public sealed record StageEvaluations(string Checkpoint, IReadOnlyList<EvalPoint> Points)
{
    /// <summary>The first evaluation (after the first tenth of fine-tuning).</summary>
    public EvalPoint First => Points[0];

    /// <summary>The last evaluation.</summary>
    public EvalPoint Last => Points[^1];
}

/// <summary>One evaluation: step and the accuracy of every set.</summary>
public sealed record EvalPoint(long Step, IReadOnlyList<SetAccuracy> Sets)
{
    /// <summary>The accuracy of the set called <paramref name="name"/>.</summary>
    public SetAccuracy this[string name] => Sets.First(s => s.Name == name);
}

/// <summary>One fine-tune of the grid.</summary>
public sealed record FinetuneCell(string Prior, double LearningRate, double CorrelatedShare, StageEvaluations Result);

/// <summary>A pruning curve and its plot (relative to the report).</summary>
public sealed record PruneCurve(string Name, double LearningRate, IReadOnlyList<PruneStep> Steps, string Plot);

/// <summary>Probe accuracies per block before and after one fine-tune.</summary>
public sealed record ProbeComparison(double LearningRate, IReadOnlyList<ProbeResult> Before, IReadOnlyList<ProbeResult> After);

/// <summary>Everything the report is written from.</summary>
public sealed record PaperResults(
    RunConfig Config,
    IReadOnlyDictionary<string, StageEvaluations> Pretrained,
    IReadOnlyList<FinetuneCell> Finetunes,
    IReadOnlyList<PruneCurve> Pruning,
    IReadOnlyList<ProbeComparison> Probes,
    IReadOnlyList<string> AttentionFiles,
    IReadOnlyList<RevivalCurve> Revival,
    RevivalCurve? ScratchAtPretrainLr,
    double Seconds);

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
    private const long AnalysisUnits = 100;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, IncludeFields = true };
    private readonly IGridObserver? _observer = observer;
    private string _stage = "";

    /// <summary>Runs (or reuses) every stage and returns the results.</summary>
    public PaperResults Run()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var grid = config.Grid;
        string first = grid.Priors[0];
        string swapped = ReverseFinetuning.SwappedPrior(first);
        var ftLrs = grid.LearningRates;
        long planned = (grid.Priors.Length + 1) * (long)config.Pretrain.Steps
            + grid.Priors.Length * ftLrs.Length * grid.CorrelatedShares.Length * (long)config.Finetune.Steps
            + 4L * grid.ReftSteps + (ftLrs.Length + 1 + ftLrs.Length + 1) * AnalysisUnits;
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

        // Analysis on the first prior's wrapper case (C_Tr = 1), and on the pre-trained model as a control.
        var pt = pretrained[first];
        var pruning = new List<PruneCurve> { Prune("pre-trained", 0, pt) };
        foreach (double lr in ftLrs) pruning.Add(Prune($"fine-tuned lr {Lr(lr)}", lr, ftKeys[(first, lr, 1.0)]));
        var probes = ftLrs.Select(lr => Probe(lr, pt, ftKeys[(first, lr, 1.0)])).ToList();
        var attention = Attention(pt, ftKeys[(first, ftLrs.Min(), 1.0)]);
        var revival = Reft(ftKeys[(first, grid.ReftFromLearningRate, 1.0)], pretrained[swapped]);
        var scratchContext = ScratchAtPretrainLr();

        var results = new PaperResults(config, pretrained.ToDictionary(kv => kv.Key, kv => kv.Value.Result), cells,
            pruning, probes, attention, revival.Curves, scratchContext, clock.Elapsed.TotalSeconds);
        return results;
    }

    private static string Lr(double lr) => lr.ToString("G3", CultureInfo.InvariantCulture);

    private static string Hash(string material) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..12];

    private string StageDir(string name, string key) => Path.Combine(outputDirectory, "stages", $"{name}-{key}");

    /// <summary>Runs <paramref name="run"/> once per key: later calls read its done.json instead.</summary>
    private T Cached<T>(string name, string key, long units, Func<string, T> run)
    {
        string dir = StageDir(name, key);
        string done = Path.Combine(dir, "done.json");
        if (File.Exists(done))
        {
            _observer?.Advanced(units, $"{name} (reused)");
            return JsonSerializer.Deserialize<T>(File.ReadAllText(done), Json) ?? throw new InvalidCheckpointException($"{done}: empty");
        }
        _stage = name;
        Directory.CreateDirectory(dir);
        var result = run(dir);
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
            Finetune = config.Finetune with { LearningRate = lr, CorrelatedShare = ctr, EvalEvery = Math.Max(1, config.Finetune.Steps / 10) },
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

    private PruneCurve Prune(string name, double lr, (string Key, StageEvaluations Result) model)
    {
        var grid = config.Grid;
        string key = Hash($"prune\n{model.Key}\n{grid.PruneK}\n{grid.PruneEvalSize}");
        return Cached(lr == 0 ? "prune-pretrained" : $"prune-lr{Lr(lr)}", key, AnalysisUnits, dir =>
        {
            using var m = LoadedModel.Load(model.Result.Checkpoint, backend);
            var small = m.Config with { Eval = m.Config.Eval with { Size = grid.PruneEvalSize } };
            // Pruning curves need only the clean sets: the question is whether counting a comes back.
            var sets = Stages.EvalSets(small).Where(s => s.Name.StartsWith("C_Te=0", StringComparison.Ordinal)).ToList();
            var steps = Pruning.Curve(m.Model, m.Config.Data, new Capability(m.Config.Finetune.TaskKind, 0), PruneUnit.Neurons, grid.PruneK, sets, 256, m.Config.Eval.BatchSize, seed: 4242);
            Plots.Lines(Path.Combine(dir, "prune.png"), $"Pruning neurons on count a: {name}", "units pruned (K)", "accuracy (%)",
                sets.Select((s, i) => new Series(s.Name, steps.Select(x => (double)x.K).ToList(), steps.Select(x => x.Accuracies[i].Accuracy * 100).ToList())).ToList(),
                horizontalLines: sets.Select(s => ($"majority share {s.Name}", s.MajorityShare * 100)).ToList());
            _observer?.Advanced(AnalysisUnits, _stage);
            return new PruneCurve(name, lr, steps, Path.GetRelativePath(outputDirectory, Path.Combine(dir, "prune.png")));
        });
    }

    private ProbeComparison Probe(double lr, (string Key, StageEvaluations Result) before, (string Key, StageEvaluations Result) after)
    {
        var grid = config.Grid;
        string key = Hash($"probe\n{before.Key}\n{after.Key}\n{grid.ProbeIterations}");
        return Cached($"probe-lr{Lr(lr)}", key, AnalysisUnits, dir =>
        {
            using var b = LoadedModel.Load(before.Result.Checkpoint, backend);
            using var a = LoadedModel.Load(after.Result.Checkpoint, backend);
            var results = AnalysisRuns.Probe([b, a], "count:a", operand: 1, new ProbeConfig(Iterations: grid.ProbeIterations), dir);
            _observer?.Advanced(AnalysisUnits, _stage);
            return new ProbeComparison(lr, results[0].Results, results[1].Results);
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

    private sealed record ReftResults(IReadOnlyList<RevivalCurve> Curves);

    private ReftResults Reft((string Key, StageEvaluations Result) tuned, (string Key, StageEvaluations Result) swappedPretrain)
    {
        var grid = config.Grid;
        string key = Hash($"reft\n{tuned.Key}\n{swappedPretrain.Key}\n{grid.ReftLearningRate}\n{grid.ReftSteps}\n{grid.ReftEvalEvery}");
        return Cached("reft", key, 3L * grid.ReftSteps, dir => new ReftResults(AnalysisRuns.Reft(tuned.Result.Checkpoint, swappedPretrain.Result.Checkpoint, scratch: true,
            grid.ReftLearningRate, grid.ReftSteps, grid.ReftEvalEvery, dir, backend, new TrainingProgress(this))));
    }

    private RevivalCurve ScratchAtPretrainLr()
    {
        var grid = config.Grid;
        double lr = config.Pretrain.LearningRate;
        string key = Hash($"scratch\n{ConfigLoader.ToJson(config)}\n{lr}");
        return Cached("scratch-pretrain-lr", key, grid.ReftSteps, dir =>
        {
            var cfg = ReverseFinetuning.RevivalConfig(config, lr, grid.ReftSteps, grid.ReftEvalEvery);
            return ReverseFinetuning.Run($"Scr. (lr {Lr(lr)})", cfg, null, Path.Combine(dir, "run"), backend, new TrainingProgress(this));
        });
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
