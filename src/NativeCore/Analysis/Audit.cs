using System.Globalization;
using System.Text.Json;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Tasks;
using NativeCore.Training;
using NativeCore.Verdicts;

namespace NativeCore.Analysis;

/// <summary>How much work an audit may spend.</summary>
/// <param name="ProbeIterations">Probe training iterations.</param>
/// <param name="MaxPruneUnits">Largest K tried when pruning.</param>
/// <param name="SetSize">Samples in the capability's held-out set.</param>
/// <param name="ReftSteps">Step budget of reFT and of the from-scratch comparison.</param>
/// <param name="ReftLearningRate">Learning rate of both.</param>
internal sealed record AuditBudget(int ProbeIterations, int MaxPruneUnits, int SetSize, int ReftSteps, double ReftLearningRate)
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

/// <summary>The outcome of an audit, with every number that decided it.</summary>
internal sealed record AuditReport(
    string Capability,
    string Verdict,
    IReadOnlyList<string> Reasons,
    AuditEvidence Evidence,
    IReadOnlyList<(string Head, double Similarity)> AttentionSimilarity,
    double Seconds);

/// <summary>
/// <c>nativecore audit</c>: was a capability deleted by fine-tuning, or only wrapped? Compares base and tuned models on
/// the capability, probes both, tries to revive it in the tuned model by pruning and by a short reverse fine-tune
/// (raced against training from scratch with the same budget), and compares attention per head.
/// </summary>
internal static class Audit
{

    /// <summary>Runs the audit and writes audit.json, report.md and report.html with plots into <paramref name="outDir"/>.</summary>
    public static AuditReport Run(string baseModel, string tunedModel, Capability capability, AuditBudget budget, string outDir, IBackend backend, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(capability);
        ArgumentNullException.ThrowIfNull(budget);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // An audit writes its reverse fine-tuning runs and report into a fresh folder, so it never has to delete
        // anything: an earlier audit's folder is refused rather than cleared.
        OutputFolder.Claim(outDir, OutputFolder.Kinds.Audit, requireEmpty: true);
        using var m0 = LoadedModel.Load(baseModel, backend);
        using var m1 = LoadedModel.Load(tunedModel, backend);
        var data = m1.Config.Data;
        if (m0.Config.Model with { Dropout = 0 } != m1.Config.Model with { Dropout = 0 } || m0.Config.Data.SequenceLength != data.SequenceLength)
            throw new InvalidConfigException($"{m0.Directory} and {m1.Directory} do not share a model shape and data format; an audit compares a model with its own fine-tune");

        var set = new EvalSet($"{capability} (clean)", TestSets.Build(data, capability.Task, correlated: false, capability.Operand, budget.SetSize, m1.Config.Eval.Seed));
        var a0 = Evaluator.Evaluate(m0.Model, data, [set], m1.Config.Eval.BatchSize)[0];
        var a1 = Evaluator.Evaluate(m1.Model, data, [set], m1.Config.Eval.BatchSize)[0];

        // The probe's control is an untrained model of the same shape: attention that averages embeddings can make a
        // count linearly readable with no training at all, so reading it must beat that.
        string target = capability.Task == TaskKind.C ? $"count:{(char)('a' + capability.Operand)}" : "answer";
        var probeConfig = new ProbeConfig(Iterations: budget.ProbeIterations);
        using var untrained = LoadedModel.Untrained(m1.Config, backend);
        var probes = AnalysisRuns.Probe([m0, m1], target, capability.Operand, probeConfig, Path.Combine(outDir, "probe"));
        var controlProbe = AnalysisRuns.ProbeTargets(untrained, [target], capability.Operand, probeConfig, Path.Combine(outDir, "probe-control"))[0];

        // Pruning's control is the untrained model pruned by the same procedure: it lacks the capability, so it has room
        // to gain, and any gain it shows is what pruning does without a wrapper to undo. K is capped as in the paper's rule.
        int maxK = Math.Min(budget.MaxPruneUnits, AuditRules.MaxPruneUnits);
        var pruned = PruneSelection.Run(m1, budget.MaxPruneUnits, maxK, budget.SetSize, budget.SetSize, capability);
        var prunedControl = PruneSelection.Run(untrained, budget.MaxPruneUnits, maxK, budget.SetSize, budget.SetSize, capability);
        Plots.Lines(Path.Combine(outDir, "prune.png"), $"Pruning the tuned model on {capability} (selection split)", "units pruned (K)", "accuracy (%)",
            [new Series(pruned.Curve[0].Accuracies[0].Name, pruned.Curve.Select(s => (double)s.K).ToList(), pruned.Curve.Select(s => s.Accuracies[0].Accuracy * 100).ToList())],
            horizontalLines: [("base model", a0.Accuracy * 100), ("majority share", set.MajorityShare * 100)]);

        var reftConfig = ReverseFinetuning.RevivalConfig(m1.Config with { Finetune = m1.Config.Finetune with { Task = capability.Task.ToString() } },
            budget.ReftLearningRate, budget.ReftSteps, Math.Max(1, budget.ReftSteps / 20));
        string reftDir = Path.Combine(outDir, "reft");
        var reft = ReverseFinetuning.Run("reFT", reftConfig, m1.Directory, Path.Combine(reftDir, "tuned"), backend, observer, capability.Operand);
        var scratch = ReverseFinetuning.Run("Scr.", reftConfig, null, Path.Combine(reftDir, "scratch"), backend, observer, capability.Operand);
        Plots.Lines(Path.Combine(outDir, "reft.png"), $"Reviving {capability} (lr {budget.ReftLearningRate:G2})", "steps (log)", "accuracy (%)",
            new[] { reft, scratch }.Select(c => new Series(c.Name, c.Steps.Select(s => (double)Math.Max(1, s)).ToList(), c.Accuracy.Select(a => a * 100).ToList())).ToList(), logX: true);

        var similarity = AttentionSimilarity(m0, m1, capability, data);
        var evidence = new AuditEvidence(a0, a1, probes[0].Results, probes[1].Results, controlProbe, pruned, prunedControl, reft, scratch);
        var (verdict, reasons) = AuditRules.Decide(evidence);
        var report = new AuditReport(capability.ToString(), verdict, reasons, evidence, similarity, clock.Elapsed.TotalSeconds);
        Write(outDir, report, m0.Directory, m1.Directory);
        return report;
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
        var e = r.Evidence;
        string P(double x) => (x * 100).ToString("F1", CultureInfo.InvariantCulture);
        string W(SetAccuracy a) => Estimate.Proportion(a.Accuracy, a.Size).Points();
        AtomicFile.WriteAllText(Path.Combine(outDir, "audit.json"), JsonSerializer.Serialize(new AuditJson(baseDir, tunedDir, r.Capability, r.Verdict, r.Reasons,
            e.Base.Size, e.Base.Accuracy, e.Tuned.Accuracy, e.Base.MajorityShare,
            new AuditPruningJson(e.TunedPruning.K, e.TunedPruning.CapabilityBefore.Accuracy, e.TunedPruning.CapabilityAfter.Accuracy,
                e.ControlPruning.K, e.ControlPruning.CapabilityBefore.Accuracy, e.ControlPruning.CapabilityAfter.Accuracy),
            new AuditProbeJson([.. e.BaseProbe.Select(p => p.TestAccuracy)], [.. e.TunedProbe.Select(p => p.TestAccuracy)], [.. e.ControlProbe.Select(p => p.TestAccuracy)],
                e.TunedProbe[0].Chance, e.TunedProbe[0].TestSize),
            new CurveJson(e.Reft.Steps, e.Reft.Accuracy), new CurveJson(e.Scratch.Steps, e.Scratch.Accuracy),
            r.AttentionSimilarity.ToDictionary(a => a.Head, a => a.Similarity),
            AuditRules.Thresholds().ToDictionary(t => t.Name, t => t.Value),
            r.Seconds), JsonMetadata.Indented.For<AuditJson>()));
        var doc = new ReportDocument()
            .H(1, $"Audit of {r.Capability}: **{r.Verdict}**")
            .P($"Base `{baseDir}`, tuned `{tunedDir}`; {r.Seconds:F0} s. Accuracies in percent with their 95% Wilson interval; differences with the combined interval.")
            .H(2, "Why").List(r.Reasons)
            .H(2, "How the verdict is decided").P(AuditRules.Describe())
            .Table(["threshold", "value"], AuditRules.Thresholds().Select(t => (IReadOnlyList<string>)[t.Name, t.Value.ToString(CultureInfo.InvariantCulture)]))
            .H(2, "Capability accuracy").Table(["model", "accuracy (%)", "majority share (%)"],
                [["base", W(e.Base), P(e.Base.MajorityShare)], ["tuned", W(e.Tuned), P(e.Tuned.MajorityShare)],
                 [$"tuned, pruned (K={e.TunedPruning.K}, held-out split)", W(e.TunedPruning.CapabilityAfter), P(e.TunedPruning.CapabilityAfter.MajorityShare)]])
            .H(2, "Probes per block").Table(["block", "base (%)", "tuned (%)", "untrained control (%)"], e.BaseProbe.Select((p, i) => (IReadOnlyList<string>)[Probing.BlockLabel(i), P(p.TestAccuracy), P(e.TunedProbe[i].TestAccuracy), P(e.ControlProbe[i].TestAccuracy)]))
            .Img("probe/probe.png", "Probe accuracy per block")
            .Img("prune.png", "Pruning the tuned model")
            .Img("reft.png", "Reverse fine-tuning against training from scratch")
            .H(2, "Attention similarity (cosine, base vs tuned)").Table(["head", "similarity"], r.AttentionSimilarity.Select(a => (IReadOnlyList<string>)[a.Head, a.Similarity.ToString("F3", CultureInfo.InvariantCulture)]));
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.md"), doc.ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.html"), doc.ToHtml($"Audit of {r.Capability}", outDir));
    }
}
