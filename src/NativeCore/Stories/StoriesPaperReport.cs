using System.Globalization;
using System.Text.Json;
using NativeCore.IO;
using NativeCore.Training;
using NativeCore.Verdicts;

namespace NativeCore.Stories;

/// <summary>
/// Writes report.md, a self-contained report.html and verdicts.json from <see cref="StoriesPaperResults"/>: the
/// deletion table, Table 1 with the paper's numbers beside ours, the twist probes, and a verdict per claim.
/// </summary>
internal static class StoriesPaperReport
{
    /// <summary>The paper's Table 1 (spec tinystories.md §3): twist share (%) at reFT steps 0, 30, 300, 3000.</summary>
    private static readonly JsonSerializerOptions IndentedJson = new(StoriesConfig.Reading) { WriteIndented = true };

    private static readonly Dictionary<long, (double Filtered, double Control)> PaperTable1 = new() { [0] = (44, 12), [30] = (81, 31), [300] = (81, 44), [3000] = (82, 81) };

    /// <summary>Writes the files into <paramref name="directory"/>; returns the verdicts.</summary>
    public static IReadOnlyList<ClaimVerdict> Write(string directory, StoriesPaperConfig config, StoriesPaperResults r, double seconds)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(r);
        var verdicts = StoriesRules.Decide(r);
        var doc = new ReportDocument();
        doc.H(1, $"NativeCore: deleting and reviving twists in stories — {config.Preset} preset")
            .P($"Reproduction of the TinyStories setting of Jain et al., ICLR 2024 (spec shared/spec/tinystories.md) on the `{config.Stories.Corpus}` corpus. Seed {config.Stories.Seed}, "
                + $"{seconds / 60:F1} minutes of compute in this invocation (reused stages cost nothing). Generated {DateTime.UtcNow:u} by NativeCore {BuildInfo.Version} ({BuildInfo.Commit}).");
        doc.AddVerdicts(verdicts).AddRules(nameof(StoriesRules), StoriesRules.Describe(), StoriesRules.Thresholds());

        var m = config.Stories.Model;
        doc.H(2, "What ran")
            .P($"A LLaMA-style model ({m.NLayer} layer{(m.NLayer == 1 ? "" : "s")}, width {m.NEmbd}, {m.NHead} heads, SwiGLU {m.Inner}, context {m.BlockSize}) pre-trained for {config.Stories.Steps} steps at batch {config.Stories.BatchSize}, "
                + $"lr {config.Stories.LearningRate:G3} with warm-up and cosine decay, on every story; the control, the same on filtered data (no twist stories). "
                + $"Deletion: {config.DeleteSteps} steps at a constant lr of 1e-4 by each protocol. reFT: {config.ReftSteps} steps on Twist stories at the spec's constant lr of 1e-5 "
                + $"(the paper runs 4,000), scored at steps {string.Join(", ", config.ScoreAt)}. Each score generates {config.ScoreCount} stories from held-out Twist prompts at temperature 1, "
                + "cut at the next instruction key, and the judge decides which have a twist. Shares are over all stories (one that does not parse counts as without a twist), with the share among parsed stories and the parse rate beside them.");

        doc.H(2, "Deletion").Table(["model", "twist share of all stories", "of parsed stories", "parse rate"],
            new[] { ("pre-trained on every story", r.Pretrained), ("control (never saw a twist)", r.Control) }.Concat(r.Deleted.Select(kv => ($"deleted by {kv.Key}", kv.Value)))
                .Select(x => (IReadOnlyList<string>)[x.Item1, StoriesRules.TwistShare(x.Item2).Points(), Pct(x.Item2.TwistShare), Pct(x.Item2.ParseRate)]));

        doc.H(2, "Table 1: twist share during reFT, ours beside the paper's")
            .P("Ours: twist share of all stories with its 95% interval, then (parsed share / parse rate). The paper's filtered row stands beside every deleted model (it reports F only).");
        var steps = config.ScoreAt.Select(s => (long)s).ToList();
        doc.Table(["reFT from", .. steps.Select(s => $"step {s} (ours)"), "paper"], r.Revivals.Append(r.ControlRevival).Select(run =>
        {
            bool isControl = run.From == "control";
            string paper = string.Join(" / ", steps.Select(s => PaperTable1.TryGetValue(s, out var p) ? (isControl ? p.Control : p.Filtered).ToString(CultureInfo.InvariantCulture) : "—"));
            return (IReadOnlyList<string>)[isControl ? "control" : $"deleted by {run.From}",
                .. steps.Select(s => run.Points.FirstOrDefault(p => p.Step == s) is { } p ? $"{StoriesRules.TwistShare(p.Score).Points()} ({Pct(p.Score.TwistShare)} / {Pct(p.Score.ParseRate)})" : "—"), paper];
        }));
        if (r.Revivals.Count > 0)
        {
            Directory.CreateDirectory(Path.Combine(directory, "plots"));
            Plots.Lines(Path.Combine(directory, "plots", "reft-twist.png"), "Twist share during reFT on Twist stories", "reFT steps (log)", "twist share of all stories (%)",
                r.Revivals.Append(r.ControlRevival).Select(run => new Series(run.From, run.Points.Select(p => (double)Math.Max(1, p.Step)).ToList(), run.Points.Select(p => p.Score.TwistShareOfAll * 100).ToList())).ToList(), logX: true);
            doc.Img("plots/reft-twist.png", "twist share against reFT steps (log axis; step 0 drawn at 1)");
        }

        doc.H(2, "Twist probes").P($"A linear probe per layer on the mean of the last {StoryProbes.LastPositions} positions' residual stream of held-out stories (header removed), read at the layer whose probe fits its training samples best.")
            .Table(["model", "layer", "test accuracy", "majority share (a probe that learned nothing)"], r.Probes.Select(p => (IReadOnlyList<string>)[p.Model, p.Layer,
                Verdicts.Estimate.Proportion(p.TestAccuracy, p.TestSize).Points(), Pct(p.Chance)]));

        foreach (var table in r.ProbeTables ?? [])
        {
            doc.H(3, $"Every feature probe of {table.Model}, by layer (test accuracy %, majority share in brackets)")
                .Table(["layer", .. StoryFeatures.All.Select(f => f.ToString())], table.Layers.Select((l, i) => (IReadOnlyList<string>)[Analysis.Probing.BlockLabel(i),
                    .. StoryFeatures.All.Select(f => $"{Pct(l.Results[f].TestAccuracy)} ({Pct(l.Results[f].Chance)})")]));
        }

        doc.H(2, "Resolved configuration").Pre(JsonSerializer.Serialize(config, IndentedJson.For<StoriesPaperConfig>()));
        VerdictReport.Save(directory, doc, verdicts, $"NativeCore stories report ({config.Preset})");
        return verdicts;
    }

    private static string Pct(double x) => (x * 100).ToString("F1", CultureInfo.InvariantCulture);
}
