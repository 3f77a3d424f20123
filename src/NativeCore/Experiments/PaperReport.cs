using System.Globalization;
using NativeCore.Analysis;
using NativeCore.IO;
using NativeCore.Tasks;
using NativeCore.Training;
using NativeCore.Verdicts;

namespace NativeCore.Experiments;

/// <summary>
/// Writes report.md and a self-contained report.html from <see cref="PaperResults"/>: the resolved config, the accuracy
/// table laid out like the paper's Table 5 with its numbers beside ours, the plots, and a verdict per claim. Every
/// accuracy stands beside its set's majority-class share, and cells within 2 points of it are marked at baseline.
/// </summary>
internal static class PaperReport
{
    private static readonly string[] SetOrder =
    [
        Evaluator.SetName(false, 0), Evaluator.SetName(true, 0), Evaluator.SetName(false, 1), Evaluator.SetName(true, 1),
    ];

    /// <summary>The paper's pre-trained accuracies (spec §11), by prior on a: (Acc O_PT, Acc O_FT).</summary>
    private static readonly Dictionary<double, (double, double)> PaperPretrained = new() { [0.999] = (100, 27.1), [0.9] = (100, 99.9), [0.5] = (99.9, 99.9) };

    /// <summary>
    /// The paper's fine-tuned rows (spec §11), keyed by (η, prior on a, C_Tr): Acc O_PT then Acc O_FT, each as
    /// (C_Te=0 after 1K, C_Te=0 after 10K, C_Te=1 after 1K, C_Te=1 after 10K).
    /// </summary>
    private static readonly Dictionary<(double, double, double), double[]> PaperRows = new()
    {
        [(1e-4, 0.999, 0)] = [9.7, 9.5, 14.5, 0, 99.4, 100, 74.9, 87.5],
        [(1e-4, 0.999, 1)] = [17.2, 15.2, 0.2, 0, 0, 1.6, 98.9, 100],
        [(1e-5, 0.9, 0.8)] = [100, 34.6, 94.8, 21.7, 99.8, 99.4, 99.7, 100],
        [(1e-6, 0.999, 1)] = [71.7, 2.3, 56, 0, 15.7, 0, 29.5, 99.9],
        [(1e-6, 0.5, 1)] = [100, 97.6, 98.6, 85.1, 99.8, 73.9, 98.3, 100],
    };

    private static string Pct(double x) => (x * 100).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>A compact accuracy with its 95% interval, for the wide fine-tuning table: "97.3 (96.2–98.1)".</summary>
    private static string Cell(SetAccuracy a)
    {
        var e = Estimate.Proportion(a.Accuracy, a.Size);
        return string.Create(CultureInfo.InvariantCulture, $"{e.Value * 100:F1} ({e.Low * 100:F1}–{e.High * 100:F1})") + (a.AtBaseline ? " †" : "");
    }

    /// <summary>Writes both files into <paramref name="directory"/>; returns the verdicts.</summary>
    public static IReadOnlyList<ClaimVerdict> Write(string directory, PaperResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var cfg = r.Config;
        var grid = cfg.Grid;
        var verdicts = PaperRules.Decide(r);
        var doc = new ReportDocument();
        doc.H(1, $"NativeCore: fine-tuning on procedural tasks — {cfg.Preset} preset")
            .P($"Reproduction of Jain et al., ICLR 2024 (spec shared/spec/paper.md), grammar setting, Counter task. Backend `{cfg.Backend}`, seed {cfg.Seed}, "
                + $"{r.Seconds / 60:F1} minutes of compute in this invocation (reused stages cost nothing). Generated {DateTime.UtcNow:u} by NativeCore {BuildInfo.Version} ({BuildInfo.Commit}).");
        doc.AddVerdicts(verdicts, "claim (spec §1)").AddRules(nameof(PaperRules), PaperRules.Describe(), PaperRules.Thresholds());

        string swapped = PaperGrid.ControlPrior;
        doc.H(2, "What ran").P(grid.SubsetReason)
            .P($"Priors {string.Join(", ", grid.Priors)}, plus {swapped} (count b alone: the low prior with a and b swapped and a's 0.1% set to zero): that model is Scr., the control for probes and pruning, and the parent of Scr.+FT. "
                + $"Fine-tuning learning rates {string.Join(", ", grid.LearningRates.Select(Lr))}; C_Tr {string.Join(", ", grid.CorrelatedShares)}; "
                + $"{cfg.Pretrain.Steps} pre-training and {cfg.Finetune.Steps} fine-tuning steps at batch {cfg.Finetune.BatchSize}. "
                + $"Held-out sets: {cfg.Eval.Size} samples each, fixed seed {cfg.Eval.Seed}; text window {cfg.Data.TextLength}, count window {cfg.Data.CountWindow}.");

        var majority = r.Finetunes[0].Result.Last.Sets.ToDictionary(s => s.Name, s => s.MajorityShare);
        doc.H(2, "Held-out sets and their majority-class share")
            .P("A constant answer scores the majority share; every accuracy below stands beside it, and † marks a cell within 2 points of it (at baseline).")
            .Table(["set", "majority share (%)"], SetOrder.Select(n => (IReadOnlyList<string>)[n, Pct(majority[n])]));

        doc.H(2, "Pre-trained accuracy").Table(["prior (a, b, c)", "Acc O_PT C_Te=0", "Acc O_FT C_Te=0", "Acc O_PT C_Te=1", "Acc O_FT C_Te=1", "paper Acc O_PT / O_FT"],
            r.Pretrained.Select(kv =>
            {
                var last = kv.Value.Last;
                var prior = OperandPrior.Parse(kv.Key);
                string paper = PaperPretrained.TryGetValue(prior.A, out var pp) ? $"{pp.Item1} / {pp.Item2}" : "—";
                return (IReadOnlyList<string>)[$"{kv.Key} ({prior.A}, {prior.B}, {prior.C})" + (kv.Key == swapped ? ", Scr." : ""),
                    Wide(last[SetOrder[0]]), Wide(last[SetOrder[2]]), Wide(last[SetOrder[1]]), Wide(last[SetOrder[3]]), paper];
            }));

        int tenth = Math.Max(1, cfg.Finetune.Steps / 10);
        doc.H(2, "Fine-tuning to count b (layout of the paper's Table 5)")
            .P($"Each group of four: C_Te=0 after {tenth} steps, C_Te=0 after {cfg.Finetune.Steps}, C_Te=1 after {tenth}, C_Te=1 after {cfg.Finetune.Steps} "
                + $"(the paper: after 1K and 10K); each on {cfg.Eval.Size} samples, with its 95% Wilson interval in brackets. "
                + "Paper rows from spec §11 sit beside ours where the same (η, prior, C_Tr) was published.")
            .Table(["η", "prior", "C_Tr", "Acc O_PT (ours)", "Acc O_FT (ours)", "Acc O_PT (paper)", "Acc O_FT (paper)"], r.Finetunes.Select(c =>
            {
                var f = c.Result;
                string Group(int operand) => string.Join("  ", new[] { f.First[SetOrder[operand * 2]], f.Last[SetOrder[operand * 2]], f.First[SetOrder[operand * 2 + 1]], f.Last[SetOrder[operand * 2 + 1]] }.Select(Cell));
                double pa = OperandPrior.Parse(c.Prior).A;
                var paper = PaperRows.TryGetValue((c.LearningRate, pa, c.CorrelatedShare), out var row) ? row : null;
                return (IReadOnlyList<string>)[Lr(c.LearningRate), c.Prior, c.CorrelatedShare.ToString(CultureInfo.InvariantCulture),
                    Group(0), Group(1), paper is null ? "—" : string.Join("  ", paper[..4]), paper is null ? "—" : string.Join("  ", paper[4..])];
            }));

        doc.H(2, "Pruning (claim 2)")
            .P($"Neurons (rows of the block weight matrices) are zeroed in order of gradient × weight on the count-a loss. K ≤ {PaperRules.MaxPruneUnits} is chosen where count a is best on a "
                + $"selection split of {grid.PruneEvalSize} samples per operand; the table reads a separate held-out split of {cfg.Eval.Size} samples per set.");
        doc.Table(["model", "K", "count a, C_Te=0: K=0 → K", "count b, C_Te=0: K=0 → K", "count b, C_Te=1: K=0 → K"], r.Pruning.Select(p => (IReadOnlyList<string>)[p.Model.Label, p.SelectedK.ToString(CultureInfo.InvariantCulture),
            $"{Wide(p.CapabilityBefore)} → {Wide(p.CapabilityAfter)}", $"{Wide(p.OtherBefore)} → {Wide(p.OtherAfter)}", $"{Wide(p.OtherCorrelatedBefore)} → {Wide(p.OtherCorrelatedAfter)}"]));
        foreach (var p in r.Pruning) doc.Img(p.Plot, $"Pruning curve on the selection split: {p.Model.Label}");

        int probeN = r.Probes.Count > 0 && r.Probes[0].Blocks.Count > 0 ? r.Probes[0].Blocks[0].TestSize : 0;
        doc.H(2, "Linear probes (claims 1 and 4)")
            .P("One probe per block (B0 = embeddings) reads count(a) or count(b) at ART from samples asked with b on plain windows, drawn fresh for every model. "
                + $"Test accuracy in percent on {probeN} held-out samples per probe (an accuracy near 50% carries a 95% interval of about "
                + $"±{Estimate.Proportion(0.5, Math.Max(1, probeN)).Above * 100:F1} points; the verdicts above give each one exactly); "
                + "the block marked * is where the rules read the model (best fit on its training samples).");
        var blocks = r.Probes.Count == 0 ? 0 : r.Probes.Max(p => p.Blocks.Count);
        doc.Table(["model", "target", .. Enumerable.Range(0, blocks).Select(Probing.BlockLabel), "chance"], r.Probes.Select(p =>
        {
            int read = PaperRules.ReadBlock(p).Block;
            return (IReadOnlyList<string>)[p.Model.Label, p.Target, .. p.Blocks.Select((b, i) => Pct(b.TestAccuracy) + (i == read ? "*" : "")), Pct(p.Blocks[0].Chance)];
        }));
        foreach (string prior in grid.Priors)
        {
            string png = Path.Combine("plots", $"probe-{prior.Replace(',', '_')}.png");
            var cells = r.Probes.Where(p => p.Target == "count:a" && (p.Model.Prior == prior || p.Model.Role == ModelRole.Control)).ToList();
            if (cells.Count == 0) continue;
            Directory.CreateDirectory(Path.Combine(directory, "plots"));
            Plots.Bars(Path.Combine(directory, png), $"count(a) probe per block, prior {prior}", "probe test accuracy (%)", Enumerable.Range(0, blocks).Select(Probing.BlockLabel).ToList(),
                [.. cells.Select(c => (c.Model.Label, (IReadOnlyList<double>)c.Blocks.Select(b => b.TestAccuracy * 100).ToList())), ("chance", cells[0].Blocks.Select(b => b.Chance * 100).ToList())]);
            doc.Img(png, $"count(a) probes, prior {prior}: pre-trained, every fine-tune, and the Scr. control");
        }

        doc.H(2, "Attention maps").P("Pre-trained (left) and fine-tuned at the smallest η with the largest C_Tr (right), one sample asked with b; queries down, keys across.");
        foreach (string png in r.AttentionFiles) doc.Img(png, Path.GetFileNameWithoutExtension(png));

        doc.H(2, "Reverse fine-tuning (claim 3)")
            .P($"Count a is trained again at lr {Lr(grid.ReftLearningRate)} for {grid.ReftSteps} steps from each prior's fine-tunes at η = {Lr(grid.ReftFromLearningRate)} (reFT), "
                + $"from the model pre-trained on count b alone (Scr.+FT), and from scratch (Scr.), all at the same learning rate, schedule and batch. "
                + $"Scr. at the pre-training lr ({Lr(cfg.Pretrain.LearningRate)}, {grid.ScratchSteps} steps) is context: a learning rate at which learning from scratch can succeed.");
        var curves = r.Revival.Select(c => (Label: string.Create(CultureInfo.InvariantCulture, $"reFT from {c.Prior}, C_Tr {c.CorrelatedShare}"), c.Curve))
            .Concat(r.Baselines.Select(b => (Label: b.Name, Curve: b)))
            .Concat(r.ScratchAtPretrainLr is { } ctx ? [(Label: ctx.Name, Curve: ctx)] : []).ToList();
        doc.Table(["run", "Acc O_PT at step 0", "at the end", $"steps to {PaperRules.RevivalLevel:P0} (clearly / possibly)", "steps to 99%"], curves.Select(c =>
        {
            var (clearly, possibly) = Revivals.Crossing(c.Curve, PaperRules.RevivalLevel);
            return (IReadOnlyList<string>)[c.Label, Estimate.Proportion(c.Curve.Accuracy[0], c.Curve.SetSize).Points(), Estimate.Proportion(c.Curve.Accuracy[^1], c.Curve.SetSize).Points(),
                $"{clearly?.ToString(CultureInfo.InvariantCulture) ?? "not reached"} / {possibly?.ToString(CultureInfo.InvariantCulture) ?? "not reached"}",
                c.Curve.StepsTo99?.ToString(CultureInfo.InvariantCulture) ?? "not reached"];
        }));
        if (curves.Count > 0)
        {
            Directory.CreateDirectory(Path.Combine(directory, "plots"));
            Plots.Lines(Path.Combine(directory, "plots", "reft.png"), $"Reviving count a (lr {Lr(grid.ReftLearningRate)})", "steps (log)", "Acc O_PT, C_Te = 0 (%)",
                curves.Select(c => new Series(c.Label, c.Curve.Steps.Select(s => (double)Math.Max(1, s)).ToList(), c.Curve.Accuracy.Select(a => a * 100).ToList())).ToList(), logX: true,
                horizontalLines: [($"{PaperRules.RevivalLevel:P0}", PaperRules.RevivalLevel * 100)]);
            doc.Img("plots/reft.png", "Acc O_PT against steps (log axis)");
        }

        doc.H(2, "Resolved configuration").Pre(ConfigLoader.ToJson(cfg));
        VerdictReport.Save(directory, doc, verdicts, $"NativeCore paper report ({cfg.Preset})");
        return verdicts;
    }

    private static string Lr(double lr) => lr.ToString("G2", CultureInfo.InvariantCulture);

    /// <summary>An accuracy with its interval and the at-baseline mark.</summary>
    private static string Wide(SetAccuracy a) => Estimate.Proportion(a.Accuracy, a.Size).Points() + (a.AtBaseline ? " †" : "");
}
