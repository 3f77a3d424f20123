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
/// along the way (the paper's Table 1), and the twist probes. Every training stage lives in <c>stages/NAME-HASH</c>,
/// keyed by its settings and parent; a finished one is reused with its scores, an interrupted one resumes.
/// </summary>
public sealed class StoriesPaperGrid(StoriesPaperConfig config, string outputDirectory, IBackend backend, IGridObserver? observer = null)
{
    /// <summary>The deletion protocols, in the spec's order.</summary>
    public static IReadOnlyList<string> Protocols { get; } = ["f", "f+mm", "f+rr"];

    private const ulong ScoreSeed = 77;
    private const string ScoresFile = "scores.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Runs (or reuses) every stage and returns the results, with each stage's model folder.</summary>
    public (StoriesPaperResults Results, double Seconds) Run()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        config.Validate();
        OutputFolder.Claim(outputDirectory, OutputFolder.Kinds.Paper);
        long pre = config.Stories.Steps;
        observer?.Planned(2 * pre + Protocols.Count * (long)config.DeleteSteps + (Protocols.Count + 1L) * config.ReftSteps);

        string pretrained = Train(null, "pretrain", "none", [], "pre-training on every story");
        string control = Train(null, "control-pretrain", "f", [], "control: pre-training without twist stories");
        var deleted = Protocols.ToDictionary(p => p, p => Train(pretrained, "delete", p, [$"steps={config.DeleteSteps}"], $"deletion by {p}"));

        var scores = new Dictionary<string, StoryScore> { ["pretrained"] = ScoreOf(pretrained), ["control"] = ScoreOf(control) };
        foreach (var (p, dir) in deleted) scores[p] = ScoreOf(dir);

        var revivals = deleted.Select(kv => Reft(kv.Value, kv.Key)).ToList();
        var controlRevival = Reft(control, "control");

        var probed = new List<(StoriesTwistProbe Twist, StoriesProbeTable Table)> { Probe(pretrained, "pretrained"), Probe(control, "control") };
        probed.AddRange(deleted.Select(kv => Probe(kv.Value, kv.Key)));

        var results = new StoriesPaperResults(scores["pretrained"], scores["control"], Protocols.ToDictionary(p => p, p => scores[p]), revivals, controlRevival,
            [.. probed.Select(p => p.Twist)], [.. probed.Select(p => p.Table)]);
        return (results, clock.Elapsed.TotalSeconds);
    }

    private string StageDir(string name, string key) => StageKey.Folder(outputDirectory, name, key);

    /// <summary>Trains one stage (or reuses it) and returns its folder; <paramref name="scoreAt"/> lists the steps at which the twist share is scored along the way.</summary>
    private string Train(string? parent, string stage, string protocol, IReadOnlyList<string> overrides, string label, IReadOnlyList<long>? scoreAt = null)
    {
        var baseConfig = parent is null ? config.Stories : StoriesModel.Read(parent).Config;
        var stageConfig = baseConfig.WithOverrides(StoriesConfig.StageDefaults(parent is null ? "pretrain" : stage).Append($"protocol={protocol}").Concat(overrides));
        stageConfig.Validate();
        string key = $"{(parent is null ? "seed" : Path.GetFileName(parent))}|{stage}|{JsonSerializer.Serialize(stageConfig, StoriesConfig.Reading)}|{string.Join(",", scoreAt ?? [])}|{config.ScoreCount}";
        string dir = StageDir(stage, key);
        if (File.Exists(Path.Combine(dir, "model.safetensors")) && File.Exists(Path.Combine(dir, StoriesModel.SidecarName)) && StoriesModel.Read(dir).Step == stageConfig.Steps
            && (scoreAt is null || File.Exists(Path.Combine(dir, ScoresFile))))
        {
            observer?.Advanced(stageConfig.Steps, label + " (reused)");
            return dir;
        }
        var corpus = stageConfig.OpenCorpus();
        var points = new List<StoriesScorePoint>();
        void AfterStep(long step, Gpt gpt)
        {
            if (scoreAt is not null && scoreAt.Contains(step)) points.Add(new StoriesScorePoint(step, StoryScoring.Score(gpt, corpus, config.ScoreCount, ScoreSeed).Score));
        }
        bool resume = Directory.Exists(Path.Combine(dir, "checkpoints"));
        if (resume && scoreAt is not null)
        {
            // Scores taken before an interruption are not kept; start the scored run again from its parent.
            Directory.Delete(Path.Combine(dir, "checkpoints"), recursive: true);
            resume = false;
            foreach (string f in Directory.GetFiles(dir).Where(f => Path.GetFileName(f) != OutputFolder.MarkerName)) File.Delete(f);
        }
        StoriesTraining.Train(parent, stageConfig, backend, dir, stage, afterStep: scoreAt is null ? null : AfterStep, resume: resume);
        if (scoreAt is not null) AtomicFile.WriteAllText(Path.Combine(dir, ScoresFile), JsonSerializer.Serialize(points.Select(p => new ScoreRecord(p.Step, p.Score.Stories, p.Score.Parsed, p.Score.Features.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value))), Json));
        observer?.Advanced(stageConfig.Steps, label);
        return dir;
    }

    private sealed record ScoreRecord(long Step, int Stories, int Parsed, Dictionary<string, int> Features);

    private StoriesRevival Reft(string from, string name)
    {
        string dir = Train(from, "reft", "twist", [$"steps={config.ReftSteps}"], $"reFT from {name}", [.. config.ScoreAt.Select(s => (long)s)]);
        var records = JsonSerializer.Deserialize<List<ScoreRecord>>(File.ReadAllText(Path.Combine(dir, ScoresFile)), Json) ?? [];
        var points = records.Select(r => new StoriesScorePoint(r.Step, new StoryScore(r.Stories, r.Parsed,
            StoryFeatures.All.ToDictionary(f => f, f => r.Features.TryGetValue(f.ToString(), out int n) ? n : 0)))).ToList();
        return new StoriesRevival(name, points);
    }

    private StoryScore ScoreOf(string dir)
    {
        var (info, gpt) = StoriesModel.Load(dir, backend);
        using (gpt)
        {
            observer?.Advanced(0, "scoring " + Path.GetFileName(dir));
            return StoryScoring.Score(gpt, info.Config.OpenCorpus(), config.ScoreCount, ScoreSeed).Score;
        }
    }

    /// <summary>Every feature probe of one model, and its twist probe read at the layer whose probe fits its training samples best.</summary>
    private (StoriesTwistProbe, StoriesProbeTable) Probe(string dir, string name)
    {
        var (info, gpt) = StoriesModel.Load(dir, backend);
        using (gpt)
        {
            observer?.Advanced(0, "probing " + name);
            var (heldOut, _, _) = info.Config.OpenHeldOut(info.Config.OpenCorpus());
            var layers = StoryProbes.Run(gpt, heldOut, config.ProbeTrain, config.ProbeTest, new ProbeConfig(Iterations: config.ProbeIterations));
            var best = layers.Select((l, i) => (Label: Probing.BlockLabel(i), Result: l.Results[StoryFeature.Twist])).MaxBy(x => x.Result.TrainAccuracy);
            return (new StoriesTwistProbe(name, best.Label, best.Result.TestAccuracy, best.Result.TestSize, best.Result.Chance), new StoriesProbeTable(name, layers));
        }
    }
}
