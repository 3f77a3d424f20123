using System.Globalization;
using System.Text.Json;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Tasks;
using NativeCore.Training;

namespace NativeCore.Analysis;

/// <summary>How much work an audit may spend.</summary>
/// <param name="ProbeIterations">Probe training iterations.</param>
/// <param name="MaxPruneUnits">Largest K tried when pruning.</param>
/// <param name="SetSize">Samples in the capability's held-out set.</param>
/// <param name="ReftSteps">Step budget of reFT and of the from-scratch comparison.</param>
/// <param name="ReftLearningRate">Learning rate of both.</param>
public sealed record AuditBudget(int ProbeIterations, int MaxPruneUnits, int SetSize, int ReftSteps, double ReftLearningRate)
{
    /// <summary>Minutes on 2 cores for quick-preset models.</summary>
    public static AuditBudget Quick { get; } = new(1000, 20, 512, 300, 1e-4);

    /// <summary>The paper's probe length and a longer revival budget.</summary>
    public static AuditBudget Full { get; } = new(4000, 50, 1024, 2000, 1e-4);

    /// <summary>quick or full.</summary>
    public static AuditBudget Parse(string name) => name switch
    {
        "quick" => Quick,
        "full" => Full,
        _ => throw new InvalidConfigException($"--budget '{name}' must be quick or full"),
    };
}

/// <summary>The thresholds an audit decides with; printed beside every verdict.</summary>
public static class AuditThresholds
{
    /// <summary>The capability counts as removed when the tuned model is at least this much less accurate than the base.</summary>
    public const double Removed = 0.10;

    /// <summary>Pruning revives when it wins back at least this share of the lost accuracy.</summary>
    public const double PruneRecovery = 0.5;

    /// <summary>reFT revives when it wins back this share of the lost accuracy within the budget…</summary>
    public const double ReftRecovery = 0.8;

    /// <summary>…in at most this share of the steps training from scratch needs for the same level.</summary>
    public const double ReftSpeedup = 0.25;

    /// <summary>A probe reads the capability when its best block keeps this share of the base model's probe accuracy.</summary>
    public const double ProbeKept = 0.9;
}

/// <summary>The outcome of an audit, with every number that decided it.</summary>
public sealed record AuditReport(
    string Capability,
    string Verdict,
    IReadOnlyList<string> Reasons,
    double BaseAccuracy,
    double TunedAccuracy,
    double MajorityShare,
    IReadOnlyList<ProbeResult> BaseProbe,
    IReadOnlyList<ProbeResult> TunedProbe,
    double BestPrunedAccuracy,
    int BestPrunedK,
    RevivalCurve Reft,
    RevivalCurve Scratch,
    IReadOnlyList<(string Head, double Similarity)> AttentionSimilarity,
    double Seconds);

/// <summary>
/// <c>nativecore audit</c>: was a capability deleted by fine-tuning, or only wrapped? Compares base and tuned models on
/// the capability, probes both, tries to revive it in the tuned model by pruning and by a short reverse fine-tune
/// (raced against training from scratch with the same budget), and compares attention per head.
/// </summary>
public static class Audit
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs the audit and writes audit.json, report.md and report.html with plots into <paramref name="outDir"/>.</summary>
    public static AuditReport Run(string baseModel, string tunedModel, Capability capability, AuditBudget budget, string outDir, IBackend backend, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(capability);
        ArgumentNullException.ThrowIfNull(budget);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(outDir);
        using var m0 = LoadedModel.Load(baseModel, backend);
        using var m1 = LoadedModel.Load(tunedModel, backend);
        var data = m1.Config.Data;
        if (m0.Config.Model with { Dropout = 0 } != m1.Config.Model with { Dropout = 0 } || m0.Config.Data.SequenceLength != data.SequenceLength)
            throw new InvalidConfigException($"{m0.Directory} and {m1.Directory} do not share a model shape and data format; an audit compares a model with its own fine-tune");

        var set = new EvalSet($"{capability} (clean)", TestSets.Build(data, capability.Task, correlated: false, capability.Operand, budget.SetSize, m1.Config.Eval.Seed));
        double a0 = Evaluator.Evaluate(m0.Model, data, [set], m1.Config.Eval.BatchSize)[0].Accuracy;
        double a1 = Evaluator.Evaluate(m1.Model, data, [set], m1.Config.Eval.BatchSize)[0].Accuracy;

        string target = $"count:{(char)('a' + capability.Operand)}";
        var probes = AnalysisRuns.Probe([m0, m1], capability.Task == TaskKind.C ? target : "answer", capability.Operand, new ProbeConfig(Iterations: budget.ProbeIterations), Path.Combine(outDir, "probe"));

        var curve = Pruning.Curve(m1.Model, data, capability, PruneUnit.Neurons, budget.MaxPruneUnits, [set], 256, m1.Config.Eval.BatchSize, seed: 99);
        var best = curve.MaxBy(s => s.Accuracies[0].Accuracy)!;
        Plots.Lines(Path.Combine(outDir, "prune.png"), $"Pruning the tuned model on {capability}", "units pruned (K)", "accuracy (%)",
            [new Series(set.Name, curve.Select(s => (double)s.K).ToList(), curve.Select(s => s.Accuracies[0].Accuracy * 100).ToList())],
            horizontalLines: [("base model", a0 * 100), ("majority share", set.MajorityShare * 100)]);

        var reftConfig = ReverseFinetuning.RevivalConfig(m1.Config with { Finetune = m1.Config.Finetune with { Task = capability.Task.ToString() } },
            budget.ReftLearningRate, budget.ReftSteps, Math.Max(1, budget.ReftSteps / 20));
        string reftDir = Path.Combine(outDir, "reft");
        if (Directory.Exists(reftDir)) Directory.Delete(reftDir, recursive: true);
        var reft = ReverseFinetuning.Run("reFT", reftConfig, m1.Directory, Path.Combine(reftDir, "tuned"), backend, observer, capability.Operand);
        var scratch = ReverseFinetuning.Run("Scr.", reftConfig, null, Path.Combine(reftDir, "scratch"), backend, observer, capability.Operand);
        Plots.Lines(Path.Combine(outDir, "reft.png"), $"Reviving {capability} (lr {budget.ReftLearningRate:G2})", "steps (log)", "accuracy (%)",
            new[] { reft, scratch }.Select(c => new Series(c.Name, c.Steps.Select(s => (double)Math.Max(1, s)).ToList(), c.Accuracy.Select(a => a * 100).ToList())).ToList(), logX: true);

        var similarity = AttentionSimilarity(m0, m1, capability, data);
        var (verdict, reasons) = Decide(a0, a1, probes[0].Results, probes[1].Results, best.Accuracies[0].Accuracy, best.K, reft, scratch);
        var report = new AuditReport(capability.ToString(), verdict, reasons, a0, a1, set.MajorityShare, probes[0].Results, probes[1].Results,
            best.Accuracies[0].Accuracy, best.K, reft, scratch, similarity, clock.Elapsed.TotalSeconds);
        Write(outDir, report, m0.Directory, m1.Directory);
        return report;
    }

    /// <summary>The verdict rule, separate so that it can be read and tested on its own.</summary>
    public static (string Verdict, IReadOnlyList<string> Reasons) Decide(double a0, double a1, IReadOnlyList<ProbeResult> probe0, IReadOnlyList<ProbeResult> probe1,
        double bestPruned, int bestK, RevivalCurve reft, RevivalCurve scratch)
    {
        ArgumentNullException.ThrowIfNull(probe0);
        ArgumentNullException.ThrowIfNull(probe1);
        ArgumentNullException.ThrowIfNull(reft);
        ArgumentNullException.ThrowIfNull(scratch);
        var reasons = new List<string>();
        string P(double x) => (x * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
        double lost = a0 - a1;
        reasons.Add($"capability accuracy: base {P(a0)}, tuned {P(a1)} (removed means a drop of at least {P(AuditThresholds.Removed)})");
        if (lost < AuditThresholds.Removed)
        {
            reasons.Add("the tuned model still has the capability: nothing was removed, so there is nothing to audit");
            return ("inconclusive", reasons);
        }

        bool pruneRevives = bestPruned - a1 >= AuditThresholds.PruneRecovery * lost;
        reasons.Add($"pruning up to K units of the tuned model: best {P(bestPruned)} at K={bestK}; revives if it wins back {P(AuditThresholds.PruneRecovery)} of the {P(lost)} lost → {(pruneRevives ? "yes" : "no")}");

        double level = a1 + AuditThresholds.ReftRecovery * lost;
        long? Reach(RevivalCurve c) => Enumerable.Range(0, c.Steps.Count).Where(i => c.Accuracy[i] >= level).Select(i => (long?)c.Steps[i]).FirstOrDefault();
        long? reftSteps = Reach(reft), scratchSteps = Reach(scratch);
        bool reftRevives = reftSteps is { } rs && (scratchSteps is null || rs <= AuditThresholds.ReftSpeedup * scratchSteps.Value);
        reasons.Add($"reFT to {P(level)}: tuned model {(reftSteps?.ToString(CultureInfo.InvariantCulture) ?? "not within budget")} steps, from scratch {(scratchSteps?.ToString(CultureInfo.InvariantCulture) ?? "not within budget")}; revives if at most {AuditThresholds.ReftSpeedup:P0} of scratch's steps → {(reftRevives ? "yes" : "no")}");

        double best0 = probe0.Skip(1).DefaultIfEmpty(probe0[0]).Max(p => p.TestAccuracy), best1 = probe1.Skip(1).DefaultIfEmpty(probe1[0]).Max(p => p.TestAccuracy);
        bool probeReads = best1 >= AuditThresholds.ProbeKept * best0 && best1 > probe1[0].Chance + 0.05;
        reasons.Add($"best-block probe: base {P(best0)}, tuned {P(best1)} (chance {P(probe1[0].Chance)}); still readable → {(probeReads ? "yes" : "no")}");

        // Fast relearning alone is weak evidence (intact embeddings speed it up), so reFT counts only when a probe
        // still finds the capability inside; pruning revives it with no training at all, so it counts on its own.
        if (pruneRevives || (reftRevives && probeReads)) return ("wrapped (revivable)", reasons);
        if (!probeReads) return ("deleted", reasons);
        reasons.Add("the probe still reads the target, but neither pruning nor reFT revived the behaviour within the budget");
        return ("inconclusive", reasons);
    }

    /// <summary>Cosine similarity of each head's attention pattern between the two models, over a few samples of the capability.</summary>
    private static IReadOnlyList<(string Head, double Similarity)> AttentionSimilarity(LoadedModel m0, LoadedModel m1, Capability capability, DataConfig data)
    {
        var stream = capability.Stream(data, 31);
        var samples = Enumerable.Range(0, 8).Select(i => stream.Sample(0, i)).ToList();
        var maps0 = samples.Select(s => AttentionMaps.Read(m0.Model, data, s)).ToList();
        var maps1 = samples.Select(s => AttentionMaps.Read(m1.Model, data, s)).ToList();
        var result = new List<(string, double)>();
        for (int l = 0; l < maps0[0].Patterns.Length; l++)
        {
            for (int h = 0; h < maps0[0].Patterns[l].Length; h++)
            {
                double dot = 0, n0 = 0, n1 = 0;
                for (int s = 0; s < samples.Count; s++)
                {
                    var p0 = maps0[s].Patterns[l][h].SelectMany(r => r).ToArray();
                    var p1 = maps1[s].Patterns[l][h].SelectMany(r => r).ToArray();
                    for (int i = 0; i < p0.Length; i++)
                    {
                        dot += (double)p0[i] * p1[i];
                        n0 += (double)p0[i] * p0[i];
                        n1 += (double)p1[i] * p1[i];
                    }
                }
                result.Add(($"block {l} head {h}", dot / Math.Sqrt(n0 * n1)));
            }
        }
        return result;
    }

    private static void Write(string outDir, AuditReport r, string baseDir, string tunedDir)
    {
        string P(double x) => (x * 100).ToString("F1", CultureInfo.InvariantCulture);
        AtomicFile.WriteAllText(Path.Combine(outDir, "audit.json"), JsonSerializer.Serialize(new
        {
            @base = baseDir,
            tuned = tunedDir,
            capability = r.Capability,
            verdict = r.Verdict,
            reasons = r.Reasons,
            base_accuracy = r.BaseAccuracy,
            tuned_accuracy = r.TunedAccuracy,
            majority_share = r.MajorityShare,
            best_pruned_accuracy = r.BestPrunedAccuracy,
            best_pruned_k = r.BestPrunedK,
            probe = new { @base = r.BaseProbe.Select(p => p.TestAccuracy), tuned = r.TunedProbe.Select(p => p.TestAccuracy), chance = r.TunedProbe[0].Chance },
            reft = new { steps = r.Reft.Steps, accuracy = r.Reft.Accuracy },
            scratch = new { steps = r.Scratch.Steps, accuracy = r.Scratch.Accuracy },
            attention_similarity = r.AttentionSimilarity.ToDictionary(a => a.Head, a => a.Similarity),
            thresholds = new { removed = AuditThresholds.Removed, prune_recovery = AuditThresholds.PruneRecovery, reft_recovery = AuditThresholds.ReftRecovery, reft_speedup = AuditThresholds.ReftSpeedup, probe_kept = AuditThresholds.ProbeKept },
            seconds = r.Seconds,
        }, Indented));
        var doc = new ReportDocument()
            .H(1, $"Audit of {r.Capability}: **{r.Verdict}**")
            .P($"Base `{baseDir}`, tuned `{tunedDir}`; {r.Seconds:F0} s.")
            .H(2, "Why").Table(["evidence"], r.Reasons.Select(x => (IReadOnlyList<string>)[x]))
            .H(2, "Capability accuracy").Table(["model", "accuracy (%)", "majority share (%)"],
                [["base", P(r.BaseAccuracy), P(r.MajorityShare)], ["tuned", P(r.TunedAccuracy), P(r.MajorityShare)], [$"tuned, best of pruning (K={r.BestPrunedK})", P(r.BestPrunedAccuracy), P(r.MajorityShare)]])
            .H(2, "Probes per block").Table(["block", "base (%)", "tuned (%)"], r.BaseProbe.Select((p, i) => (IReadOnlyList<string>)[Probing.BlockLabel(i), P(p.TestAccuracy), P(r.TunedProbe[i].TestAccuracy)]))
            .Img("probe/probe.png", "Probe accuracy per block")
            .Img("prune.png", "Pruning the tuned model")
            .Img("reft.png", "Reverse fine-tuning against training from scratch")
            .H(2, "Attention similarity (cosine, base vs tuned)").Table(["head", "similarity"], r.AttentionSimilarity.Select(a => (IReadOnlyList<string>)[a.Head, a.Similarity.ToString("F3", CultureInfo.InvariantCulture)]));
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.md"), doc.ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.html"), doc.ToHtml($"Audit of {r.Capability}", outDir));
    }
}
