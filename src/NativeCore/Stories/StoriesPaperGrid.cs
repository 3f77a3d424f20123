using System.Globalization;
using System.Text.Json;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Model;

namespace NativeCore.Stories;

/// <summary>
/// <c>nativecore paper --setting stories</c>: pre-training on every story, the control (pre-trained on filtered data,
/// so it never saw a twist), deletion of twists from the pre-trained model by F, F + Mix &amp; Match and
/// F + Randomisation, reFT on Twist stories from each deleted model and from the control with the twist share scored
/// along the way (the paper's Table 1), and the twist probes, as a <see cref="StageGraph"/>. Every stage lives in
/// <c>stages/NAME-HASH</c>, keyed by its settings and parents; a done one is reused, an interrupted training stage
/// resumes (a scored one starts again, since its scores are taken along the way).
/// </summary>
internal sealed class StoriesPaperGrid : IExperimentGrid
{
    /// <summary>The deletion protocols, in the spec's order.</summary>
    public static IReadOnlyList<string> Protocols { get; } = ["f", "f+mm", "f+rr"];

    private const ulong ScoreSeed = 77;
    private const long AnalysisUnits = 20;

    private readonly StoriesPaperConfig _config;
    private readonly string _outputDirectory;
    private readonly Func<IBackend> _backend;
    private readonly IGridObserver? _observer;
    private readonly Dictionary<string, StageResult<StoryScore>> _scores = new(StringComparer.Ordinal);
    private readonly List<(string Name, StageResult<List<StoriesScorePoint>> Points)> _revivals = [];
    private readonly (string Name, StageResult<List<StoriesScorePoint>> Points) _controlRevival;
    private readonly List<StageResult<ProbeOutcome>> _probes = [];

    /// <summary>The grid, with the backend made only when a stage first needs it.</summary>
    public StoriesPaperGrid(StoriesPaperConfig config, string outputDirectory, Func<IBackend> backend, IGridObserver? observer = null)
    {
        config.Validate();
        _config = config;
        _outputDirectory = outputDirectory;
        _backend = backend;
        _observer = observer;
        Graph = new StageGraph(outputDirectory);

        var pretrained = Train(null, "pretrain", "none", [], "pretrain");
        var control = Train(null, "control-pretrain", "f", [], "control-pretrain");
        var deleted = Protocols.ToDictionary(p => p, p => Train(pretrained, "delete", p, [$"steps={config.DeleteSteps}"], $"delete-{Slug(p)}"));

        var models = new List<(string Name, Trained Model)> { ("pretrained", pretrained), ("control", control) };
        models.AddRange(deleted.Select(kv => (kv.Key, kv.Value)));
        foreach (var (name, model) in models) _scores[name] = Score(model, name);
        foreach (var (p, model) in deleted) _revivals.Add(Reft(model, p));
        _controlRevival = Reft(control, "control");
        foreach (var (name, model) in models) _probes.Add(Probe(model, name));
    }

    /// <inheritdoc/>
    internal StageGraph Graph { get; }

    StageGraph IExperimentGrid.Graph => Graph;

    GridReport IExperimentGrid.Report(double seconds) => Report(seconds);

    /// <summary>Runs every stage that is not done, in this process, and returns the results with the compute seconds.</summary>
    public (StoriesPaperResults Results, double Seconds) Run()
    {
        OutputFolder.Claim(_outputDirectory, OutputFolder.Kinds.Paper);
        double seconds = GridRunner.RunAll(Graph, _observer);
        return (Collect(), seconds);
    }

    /// <summary>The results, read from the stages' folders; every stage must be done.</summary>
    public StoriesPaperResults Collect()
    {
        var probed = _probes.Select(p => p.Value).ToList();
        return new StoriesPaperResults(_scores["pretrained"].Value, _scores["control"].Value, Protocols.ToDictionary(p => p, p => _scores[p].Value),
            _revivals.Select(Revival).ToList(), Revival(_controlRevival), [.. probed.Select(p => p.Twist)], [.. probed.Select(p => p.Table)]);
    }

    private static StoriesRevival Revival((string Name, StageResult<List<StoriesScorePoint>> Points) r) => new(r.Name, r.Points.Value);

    /// <inheritdoc/>
    internal GridReport Report(double seconds) =>
        new($"stories grid finished in {seconds / 60:F1} minutes of compute", StoriesPaperReport.Write(_outputDirectory, _config, Collect(), seconds));

    private static string Slug(string protocol) => protocol.Replace('+', '-');

    /// <summary>A training stage and the config it trains with (known before it runs, so children can be keyed).</summary>
    private sealed record Trained(GridStage Stage, StoriesConfig Config);

    private string Folder(GridStage stage) => Graph.Folder(stage);

    /// <summary>One training stage; <paramref name="scoreAt"/> lists the steps at which the twist share is scored along the way (into scores.json).</summary>
    private Trained Train(Trained? parent, string stage, string protocol, IReadOnlyList<string> overrides, string name, IReadOnlyList<long>? scoreAt = null)
    {
        var baseConfig = parent?.Config ?? _config.Stories;
        var stageConfig = baseConfig.WithOverrides(StoriesConfig.StageDefaults(parent is null ? "pretrain" : stage).Append($"protocol={protocol}").Concat(overrides));
        stageConfig.Validate();
        string material = $"{stage}|{JsonSerializer.Serialize(stageConfig, StoriesConfig.Reading.For<StoriesConfig>())}|{string.Join(",", scoreAt ?? [])}|{_config.ScoreCount}";
        var graphStage = Graph.Add(name, material, parent is null ? [] : [parent.Stage], stageConfig.Steps,
            GridPlan.TrainingFlops(stageConfig.Model, stageConfig.BatchSize, stageConfig.Steps), ctx =>
            {
                var corpus = stageConfig.OpenCorpus();
                var points = new List<StoriesScorePoint>();
                void AfterStep(long step, Gpt gpt)
                {
                    if (step > 0) ctx.Advance(1);
                    if (scoreAt is not null && scoreAt.Contains(step)) points.Add(new StoriesScorePoint(step, StoryScoring.Score(gpt, corpus, _config.ScoreCount, ScoreSeed).Score));
                }
                bool resume = Directory.Exists(Path.Combine(ctx.Directory, "checkpoints"));
                if (resume && scoreAt is not null)
                {
                    // Scores taken before an interruption are not kept; start the scored run again from its parent.
                    Directory.Delete(Path.Combine(ctx.Directory, "checkpoints"), recursive: true);
                    resume = false;
                    foreach (string f in Directory.GetFiles(ctx.Directory).Where(f => Path.GetFileName(f) != OutputFolder.MarkerName)) File.Delete(f);
                }
                StoriesTraining.Train(parent is null ? null : Folder(parent.Stage), stageConfig, _backend(), ctx.Directory, stage, afterStep: AfterStep, resume: resume);
                if (scoreAt is not null)
                    AtomicFile.WriteAllText(Path.Combine(ctx.Directory, StageResult<StoriesRevival>.FileName), JsonSerializer.Serialize(points, JsonMetadata.Indented.For<List<StoriesScorePoint>>()));
                // A scored stage's result.json holds its points (see Reft).
            });
        return new Trained(graphStage, stageConfig);
    }

    /// <summary>reFT on Twist stories, scored along the way: its result is the scored points.</summary>
    private (string Name, StageResult<List<StoriesScorePoint>> Points) Reft(Trained from, string name)
    {
        var run = Train(from, "reft", "twist", [$"steps={_config.ReftSteps}"], $"reft-{Slug(name)}", [.. _config.ScoreAt.Select(s => (long)s)]);
        return (name, new StageResult<List<StoriesScorePoint>>(run.Stage, Folder(run.Stage)));
    }

    private StageResult<StoryScore> Score(Trained model, string name) =>
        Graph.Add($"score-{Slug(name)}", $"score\n{_config.ScoreCount}\n{ScoreSeed}", [model.Stage], AnalysisUnits, 0, ctx =>
        {
            var (info, gpt) = StoriesModel.Load(Folder(model.Stage), _backend());
            using (gpt)
            {
                ctx.Advance(0, "scoring " + name);
                return StoryScoring.Score(gpt, info.Config.OpenCorpus(), _config.ScoreCount, ScoreSeed).Score;
            }
        });

    /// <summary>Every feature probe of one model, and its twist probe read at the layer whose probe fits its training samples best.</summary>
    private StageResult<ProbeOutcome> Probe(Trained model, string name) =>
        Graph.Add($"probe-{Slug(name)}", string.Create(CultureInfo.InvariantCulture, $"probe\n{_config.ProbeTrain}\n{_config.ProbeTest}\n{_config.ProbeIterations}"), [model.Stage], AnalysisUnits, 0, ctx =>
        {
            var (info, gpt) = StoriesModel.Load(Folder(model.Stage), _backend());
            using (gpt)
            {
                ctx.Advance(0, "probing " + name);
                var (heldOut, _, _) = info.Config.OpenHeldOut(info.Config.OpenCorpus());
                var layers = StoryProbes.Run(gpt, heldOut, _config.ProbeTrain, _config.ProbeTest, new ProbeConfig(Iterations: _config.ProbeIterations));
                var best = layers.Select((l, i) => (Label: Probing.BlockLabel(i), Result: l.Results[StoryFeature.Twist])).MaxBy(x => x.Result.TrainAccuracy);
                return new ProbeOutcome(new StoriesTwistProbe(name, best.Label, best.Result.TestAccuracy, best.Result.TestSize, best.Result.Chance), new StoriesProbeTable(name, layers));
            }
        });

    /// <summary>A probe stage's result: the twist probe and every feature's probe at every layer.</summary>
    internal sealed record ProbeOutcome(StoriesTwistProbe Twist, StoriesProbeTable Table);
}
