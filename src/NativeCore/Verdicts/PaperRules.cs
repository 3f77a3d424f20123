using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Experiments;
using NativeCore.Tasks;
using NativeCore.Training;

namespace NativeCore.Verdicts;

/// <summary>
/// The rules that turn the grammar grid's measurements into a verdict per claim of spec §1. They were written down
/// before the data they judge; every threshold is a named constant here, and the report's section "How each verdict is
/// decided" is generated from the same constants by <see cref="Describe"/>. Every accuracy enters as a proportion with
/// its Wilson interval (<see cref="Estimate"/>), and a condition holds only when its interval lies clear of the threshold.
/// </summary>
internal static class PaperRules
{
    /// <summary>Claims 1 and 4: after fine-tuning, the count(a) probe beats the control model's by at least this much…</summary>
    public const double ProbeOverControl = 0.10;

    /// <summary>…and falls at most this far below the pre-trained model's probe.</summary>
    public const double ProbeKeptWithin = 0.05;

    /// <summary>The spec's exception to claim 4 (a large lr on a weakly relevant capability): priors that ask b at most this often, fine-tuned at the grid's largest lr.</summary>
    public const double WeakPriorMaxShareOfB = 0.01;

    /// <summary>Claim 2: the most units pruning may zero.</summary>
    public const int MaxPruneUnits = 15;

    /// <summary>
    /// Claims 1 and 4 test only fine-tunes that clearly changed behaviour: count b on the fine-tune's own kind of
    /// windows rose, or clean count(a) fell, by at least this much. A fine-tune that moved nothing says nothing about
    /// what fine-tuning does to a capability.
    /// </summary>
    public const double FinetuneEffectMin = 0.10;

    /// <summary>Claims 2 and 3 test only fine-tunes that lowered count(a) by at least this much: otherwise there is nothing to revive.</summary>
    public const double CapabilityLostMin = 0.10;

    /// <summary>Claim 2: pruning must win back at least this much of count(a)…</summary>
    public const double RecoveryMin = 0.10;

    /// <summary>…and at least this share of what fine-tuning lost, whichever is larger…</summary>
    public const double RecoveryShareOfLoss = 0.5;

    /// <summary>…while count b (Acc O_FT) falls by at least this much…</summary>
    public const double OtherFallMin = 0.05;

    /// <summary>…and the same procedure on the control model gains at least this much less.</summary>
    public const double ControlGainMargin = 0.05;

    /// <summary>Claim 3: the accuracy a revival must reach.</summary>
    public const double RevivalLevel = 0.90;

    /// <summary>Claim 3: reFT must get there in at most this share of the steps the faster baseline needs.</summary>
    public const double RevivalStepShare = 1.0 / 3;

    /// <summary>Claim 5: the smallest effect of the learning rate (count a lost, η_L against η_S) that counts.</summary>
    public const double LearningRateEffectMin = 0.05;

    /// <summary>
    /// Claim 5: the smallest effect of the prior that counts: how much more clean count(a) the most relevant prior
    /// keeps through the same fine-tune than the least relevant one (each against its own pre-trained model, so that
    /// differences built in by pre-training cancel).
    /// </summary>
    public const double PriorEffectMin = 0.05;

    /// <summary>Claim 5: the smallest effect of C_Tr (clean Acc O_FT, C_Tr lowest against highest) that counts.</summary>
    public const double CorrelationEffectMin = 0.05;

    /// <summary>The claims of spec §1, in order.</summary>
    public static IReadOnlyList<string> Claims { get; } =
    [
        "1. Fine-tuning rarely changes the underlying capability: count(a) is still held internally",
        "2. Fine-tuning learns a thin wrapper: pruning a few units brings the old behaviour back",
        "3. Revival: reverse fine-tuning restores the capability far faster than learning it anew",
        "4. Probes still read the pre-training target after fine-tuning (except a large lr on a weakly relevant capability)",
        "5. The effects depend on the learning rate, the prior and C_Tr",
    ];

    private static readonly string CleanA = Evaluator.SetName(false, 0), CleanB = Evaluator.SetName(false, 1);

    private static string Pts(double x) => (x * 100).ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Each claim's rule in words, generated from the constants above.</summary>
    public static IReadOnlyList<(string Claim, string Rule)> Describe() =>
    [
        (Claims[0], $"Probes for count(a) are trained on fresh samples for every model, and each model is read at the block whose probe fits its training samples best. "
            + $"Tested on every C_Tr = 0 fine-tune (plain count b, whose answer does not need count(a)) that clearly changed behaviour (count b on its own kind of windows up, or clean count(a) down, "
            + $"by at least {Pts(FinetuneEffectMin)} points against its pre-trained model), except the spec's exception (below). A fine-tune passes when its count(a) probe "
            + $"beats the same probe on Scr. (the control, pre-trained from scratch on count b alone) by at least {Pts(ProbeOverControl)} points and falls at most {Pts(ProbeKeptWithin)} points "
            + "below the pre-trained model's, both clear of the combined 95% interval. Reproduced when passing fine-tunes outnumber the others; not reproduced when failing ones do; otherwise inconclusive. "
            + "The count(b) probes are reported beside them."),
        (Claims[1], $"Tested on every pruned fine-tune whose count(a) accuracy (C_Te = 0) fell clearly by at least {Pts(CapabilityLostMin)} points from its pre-trained model; otherwise there is nothing to revive. "
            + $"K ≤ {MaxPruneUnits} is chosen on a selection split, and accuracies are read on a separate held-out split. A fine-tune passes when pruning raises count(a) by at least "
            + $"max({Pts(RecoveryMin)} points, {RecoveryShareOfLoss:P0} of the loss), count b falls by at least {Pts(OtherFallMin)} points on the windows the fine-tune mostly trained on (correlated when C_Tr ≥ 0.5, clean otherwise), and the same procedure on the control gains at least "
            + $"{Pts(ControlGainMargin)} points less, each clear of its interval. Majority over tested fine-tunes, as in claim 1."),
        (Claims[2], $"Tested on reFT runs whose pre-trained model clearly reached {Pts(RevivalLevel)}% on count(a) and whose start lies clearly at least {Pts(CapabilityLostMin)} points below it. "
            + $"Steps to {Pts(RevivalLevel)}%: a curve reaches it clearly when the interval's "
            + "lower end does, possibly when its upper end does; a baseline that never gets there counts as its step budget. A run passes when reFT clearly reaches the level in at most "
            + $"{RevivalStepShare:0.###} of the steps the faster of Scr.+FT and Scr. possibly needs (same lr, schedule and batch); it fails when even its possible crossing comes later "
            + "than that share of the baseline's clear one. Majority over tested runs."),
        (Claims[3], $"The rule of claim 1 on every fine-tune (C_Tr = 0 and 1) that clearly changed behaviour. Fine-tunes at the grid's largest lr from a prior that asks b in at most {WeakPriorMaxShareOfB:P0} of samples are "
            + "the spec's exception: reported, not counted."),
        (Claims[4], $"Three effects, each tested on its own, on held-out accuracies after fine-tuning: the learning rate (count a at η_S minus at η_L, at each prior and C_Tr, at least "
            + $"{Pts(LearningRateEffectMin)} points), the prior (clean count a kept through the fine-tune, most minus least relevant prior, each against its own pre-trained model, at each lr and C_Tr, "
            + $"at least {Pts(PriorEffectMin)} points) and C_Tr "
            + $"(clean Acc O_FT at the lowest minus the highest C_Tr, at each prior and lr, at least {Pts(CorrelationEffectMin)} points). An effect counts when one of its comparisons clears "
            + "its threshold with the whole interval, and is absent when every comparison falls clearly short. Reproduced when all three count; not tested when fewer than two priors "
            + "(with different shares of b) ran."),
    ];

    /// <summary>Every threshold above, by name.</summary>
    public static IReadOnlyList<(string Name, double Value)> Thresholds() => RuleConstants.Of(typeof(PaperRules));

    /// <summary>Decides every claim from <paramref name="r"/>.</summary>
    public static IReadOnlyList<ClaimVerdict> Decide(PaperResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return [HeldInternally(r, Claims[0], ctrZeroOnly: true), Wrapper(r), Revival(r), HeldInternally(r, Claims[3], ctrZeroOnly: false), Dependence(r)];
    }

    /// <summary>Whether a fine-tune is the spec's exception to claim 4.</summary>
    public static bool IsException(RunConfig config, string prior, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(config);
        return learningRate >= config.Grid.LearningRates.Max() && OperandPrior.Parse(prior).B <= WeakPriorMaxShareOfB;
    }

    /// <summary>The block a probe reads (see <see cref="ProbeBlocks.Read"/>).</summary>
    public static (int Block, Estimate Test) ReadBlock(ProbeCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return ProbeBlocks.Read(cell.Blocks);
    }

    private static Estimate Of(SetAccuracy a) => Estimate.Of(a);

    /// <summary>
    /// Whether a fine-tune's own behaviour is read on correlated windows (C_Tr ≥ 0.5) or clean ones: a wrapper answers
    /// count(a)+1, which is right only on correlated windows, so that is where its behaviour shows.
    /// </summary>
    public static bool BehaviourIsCorrelated(double correlatedShare) => correlatedShare >= 0.5;

    /// <summary>The held-out set of a fine-tune's own behaviour (see <see cref="BehaviourIsCorrelated"/>).</summary>
    public static string BehaviourSet(double correlatedShare) => Evaluator.SetName(BehaviourIsCorrelated(correlatedShare), 1);

    private static FinetuneCell? FinetuneOf(PaperResults r, string prior, double lr, double ctr) =>
        r.Finetunes.FirstOrDefault(c => c.Prior == prior && c.LearningRate == lr && c.CorrelatedShare == ctr);

    private static SetAccuracy? Find(EvalPoint point, string set) => point.Sets.FirstOrDefault(s => s.Name == set);

    /// <summary>Whether a fine-tune clearly changed behaviour: its own count b up, or clean count(a) down, by <see cref="FinetuneEffectMin"/>.</summary>
    private static (Finding Changed, string How) Changed(PaperResults r, ModelId id)
    {
        var ft = FinetuneOf(r, id.Prior, id.LearningRate, id.CorrelatedShare);
        if (ft is null || !r.Pretrained.TryGetValue(id.Prior, out var pt)) return (Finding.Unclear, "its evaluations are missing");
        string own = BehaviourSet(id.CorrelatedShare);
        var (ptB, ftB, ptA, ftA) = (Find(pt.Last, own), Find(ft.Result.Last, own), Find(pt.Last, CleanA), Find(ft.Result.Last, CleanA));
        if (ptB is null || ftB is null || ptA is null || ftA is null) return (Finding.Unclear, "its evaluations are missing");
        var gained = Of(ftB).Minus(Of(ptB));
        var lost = Of(ptA).Minus(Of(ftA));
        var f = Findings.Any(gained.AtLeast(FinetuneEffectMin), lost.AtLeast(FinetuneEffectMin));
        return (f, $"{own} {gained.SignedPoints()}, clean count a lost {lost.SignedPoints()}; needs ≥ {Pts(FinetuneEffectMin)} on either");
    }

    private static ClaimVerdict HeldInternally(PaperResults r, string claim, bool ctrZeroOnly)
    {
        const string target = "count:a";
        var control = r.Probes.FirstOrDefault(p => p.Model.Role == ModelRole.Control && p.Target == target);
        if (control is null || control.Blocks.Count == 0) return new ClaimVerdict(claim, Verdict.NotTested, ["no count(a) probe of the control model ran"]);
        var (cBlock, cAcc) = ReadBlock(control);
        var lines = new List<string> { $"control {control.Model.Label}: B{cBlock} {cAcc.Points()}" };
        var findings = new List<Finding>();
        foreach (var after in r.Probes.Where(p => p.Model.Role == ModelRole.Finetuned && p.Target == target && (!ctrZeroOnly || p.Model.CorrelatedShare == 0)))
        {
            var before = r.Probes.FirstOrDefault(p => p.Model.Role == ModelRole.Pretrained && p.Model.Prior == after.Model.Prior && p.Target == target);
            if (before is null || before.Blocks.Count == 0 || after.Blocks.Count == 0)
            {
                lines.Add($"{after.Model.Label}: not tested, no probe of its pre-trained model");
                continue;
            }
            var (changed, how) = Changed(r, after.Model);
            if (changed != Finding.Yes)
            {
                lines.Add($"{after.Model.Label}: not tested, the fine-tune did not clearly change behaviour ({how})");
                continue;
            }
            var (aBlock, aAcc) = ReadBlock(after);
            var (bBlock, bAcc) = ReadBlock(before);
            var overControl = aAcc.Minus(cAcc);
            var kept = aAcc.Minus(bAcc);
            var f1 = overControl.AtLeast(ProbeOverControl);
            var f2 = kept.AtLeast(-ProbeKeptWithin);
            var f = Findings.All(f1, f2);
            bool exception = IsException(r.Config, after.Model.Prior, after.Model.LearningRate);
            lines.Add($"{after.Model.Label}: after B{aBlock} {aAcc.Points()}; minus control {overControl.SignedPoints()} ≥ +{Pts(ProbeOverControl)} → {f1.Word()}; "
                + $"minus pre-trained (B{bBlock} {bAcc.Points()}) {kept.SignedPoints()} ≥ −{Pts(ProbeKeptWithin)} → {f2.Word()}"
                + (exception ? $" ⇒ {f.Word()} (the spec's exception: not counted)" : $" ⇒ {f.Word()}"));
            if (!exception) findings.Add(f);
        }
        return Verdicts.Conclude(claim, findings, lines, Findings.Majority, "no fine-tune had the probes this rule needs");
    }

    private static ClaimVerdict Wrapper(PaperResults r)
    {
        string claim = Claims[1];
        var control = r.Pruning.FirstOrDefault(p => p.Model.Role == ModelRole.Control);
        if (control is null) return new ClaimVerdict(claim, Verdict.NotTested, ["the control model was not pruned"]);
        var controlGain = Of(control.CapabilityAfter).Minus(Of(control.CapabilityBefore));
        var lines = new List<string> { $"control {control.Model.Label}: count(a) {Of(control.CapabilityBefore).Points()} → {Of(control.CapabilityAfter).Points()} at K={control.SelectedK}, gain {controlGain.SignedPoints()}" };
        var findings = new List<Finding>();
        foreach (var p in r.Pruning.Where(p => p.Model.Role == ModelRole.Finetuned))
        {
            var ft = FinetuneOf(r, p.Model.Prior, p.Model.LearningRate, p.Model.CorrelatedShare);
            if (ft is null || !r.Pretrained.TryGetValue(p.Model.Prior, out var pt))
            {
                lines.Add($"{p.Model.Label}: not tested, its fine-tune or pre-training is missing");
                continue;
            }
            if (Find(pt.Last, CleanA) is not { } ptA || Find(ft.Result.Last, CleanA) is not { } ftA)
            {
                lines.Add($"{p.Model.Label}: not tested, its clean count-a evaluation is missing");
                continue;
            }
            var loss = Of(ptA).Minus(Of(ftA));
            var lost = loss.AtLeast(CapabilityLostMin);
            if (lost != Finding.Yes)
            {
                lines.Add($"{p.Model.Label}: not tested, count(a) fell {loss.SignedPoints()} (needs ≥ {Pts(CapabilityLostMin)} clearly)");
                continue;
            }
            var gain = Of(p.CapabilityAfter).Minus(Of(p.CapabilityBefore));
            var share = loss.Times(RecoveryShareOfLoss);
            var needed = new Estimate(Math.Max(RecoveryMin, share.Value), Math.Max(RecoveryMin, share.Low), Math.Max(RecoveryMin, share.High));
            var fK = p.SelectedK is >= 1 and <= MaxPruneUnits ? Finding.Yes : Finding.No;
            var fGain = gain.Minus(needed).AtLeast(0);
            var (behaviourBefore, behaviourAfter) = p.FinetunedBehaviour;
            var fall = Of(behaviourBefore).Minus(Of(behaviourAfter));
            var fFall = fall.AtLeast(OtherFallMin);
            var overControl = gain.Minus(controlGain);
            var fControl = overControl.AtLeast(ControlGainMargin);
            var f = Findings.All(fK, fGain, fFall, fControl);
            lines.Add($"{p.Model.Label}: lost {loss.SignedPoints()}; K={p.SelectedK}; count(a) {Of(p.CapabilityBefore).Points()} → {Of(p.CapabilityAfter).Points()}, gain {gain.SignedPoints()} "
                + $"≥ {needed.Points()} → {fGain.Word()}; count b ({behaviourBefore.Name}) fell {fall.SignedPoints()} ≥ {Pts(OtherFallMin)} → {fFall.Word()}; gain minus control's {overControl.SignedPoints()} ≥ {Pts(ControlGainMargin)} → {fControl.Word()} ⇒ {f.Word()}");
            findings.Add(f);
        }
        return Verdicts.Conclude(claim, findings, lines, Findings.Majority, "no fine-tune clearly lowered count(a), so there was no wrapper to find");
    }

    private static ClaimVerdict Revival(PaperResults r)
    {
        string claim = Claims[2];
        if (!r.Baselines.Any(b => b.Steps.Count > 0)) return new ClaimVerdict(claim, Verdict.NotTested, ["no baseline (Scr.+FT or Scr.) ran"]);
        var lines = new List<string>();
        foreach (var b in r.Baselines.Where(b => b.Steps.Count > 0))
        {
            var (c, p) = Revivals.Crossing(b, RevivalLevel);
            lines.Add($"{b.Name}: {Estimate.Proportion(b.Accuracy[0], b.SetSize).Points()} → {Estimate.Proportion(b.Accuracy[^1], b.SetSize).Points()} in {b.Steps[^1]} steps; reaches {Pts(RevivalLevel)}% clearly at {Revivals.StepText(c)}, possibly at {Revivals.StepText(p)}");
        }
        if (r.ScratchAtPretrainLr is { Steps.Count: > 0 } ctx)
        {
            var (c, p) = Revivals.Crossing(ctx, RevivalLevel);
            lines.Add($"context, {ctx.Name}: reaches {Pts(RevivalLevel)}% clearly at {Revivals.StepText(c)}, possibly at {Revivals.StepText(p)} of {ctx.Steps[^1]} steps (not part of the rule)");
        }
        var findings = new List<Finding>();
        foreach (var cell in r.Revival.Where(c => c.Curve.Steps.Count > 0))
        {
            var start = Estimate.Proportion(cell.Curve.Accuracy[0], cell.Curve.SetSize);
            string label = string.Create(CultureInfo.InvariantCulture, $"reFT from {cell.Prior}, C_Tr {cell.CorrelatedShare}");
            var ptA = r.Pretrained.TryGetValue(cell.Prior, out var pt) ? Find(pt.Last, CleanA) : null;
            if (ptA is null)
            {
                lines.Add($"{label}: not tested, its pre-trained model's evaluation is missing");
                continue;
            }
            var lost = Of(ptA).Minus(start);
            if (Of(ptA).AtLeast(RevivalLevel) != Finding.Yes || lost.AtLeast(CapabilityLostMin) != Finding.Yes)
            {
                lines.Add($"{label}: not tested, pre-trained {Of(ptA).Points()} and start {start.Points()} (lost {lost.SignedPoints()}); "
                    + $"needs a pre-trained model clearly at {Pts(RevivalLevel)}% and a loss clearly ≥ {Pts(CapabilityLostMin)}");
                continue;
            }
            var (f, clearly, possibly, basePossibly, _) = Revivals.Faster(cell.Curve, r.Baselines.Where(b => b.Steps.Count > 0), RevivalLevel, RevivalStepShare);
            lines.Add($"{label}: from {start.Points()}; reaches {Pts(RevivalLevel)}% clearly at {Revivals.StepText(clearly)}, possibly at {Revivals.StepText(possibly)}; "
                + $"needs ≤ {(RevivalStepShare * basePossibly).ToString("0.#", CultureInfo.InvariantCulture)} ({RevivalStepShare:0.###} of the faster baseline's {basePossibly}) ⇒ {f.Word()}");
            findings.Add(f);
        }
        return Verdicts.Conclude(claim, findings, lines, Findings.Majority, "every reFT run started with count(a) intact, so there was nothing to revive");
    }

    private static ClaimVerdict Dependence(PaperResults r)
    {
        string claim = Claims[4];
        var priors = r.Finetunes.Select(c => c.Prior).Distinct().ToList();
        var lines = new List<string>();
        SetAccuracy? Acc(string prior, double lr, double ctr, string set) =>
            FinetuneOf(r, prior, lr, ctr) is { } cell ? Find(cell.Result.Last, set) : null;

        Finding? Effect(string name, double min, IEnumerable<(string Where, SetAccuracy? Hi, SetAccuracy? Lo)> comparisons)
        {
            var findings = new List<Finding>();
            foreach (var (where, hi, lo) in comparisons)
            {
                if (hi is null || lo is null) continue;
                var d = Of(hi).Minus(Of(lo));
                var f = d.AtLeast(min);
                findings.Add(f);
                lines.Add($"{name}, {where}: {Of(hi).Points()} − {Of(lo).Points()} = {d.SignedPoints()} ≥ {Pts(min)} → {f.Word()}");
            }
            if (findings.Count == 0) return null;
            var any = Findings.Any(findings);
            lines.Add($"{name} effect ⇒ {any.Word()}");
            return any;
        }

        var lrs = r.Finetunes.Select(c => c.LearningRate).Distinct().Order().ToList();
        var ctrs = r.Finetunes.Select(c => c.CorrelatedShare).Distinct().Order().ToList();
        string F(double x) => x.ToString("G2", CultureInfo.InvariantCulture);
        var lrEffect = lrs.Count < 2 ? null : Effect("learning rate", LearningRateEffectMin,
            from p in priors from c in ctrs select ($"{p}, C_Tr {F(c)}: count a at η {F(lrs[0])} minus at η {F(lrs[^1])}", Acc(p, lrs[0], c, CleanA), Acc(p, lrs[^1], c, CleanA)));
        var byRelevance = priors.OrderBy(p => OperandPrior.Parse(p).B).ToList();
        bool priorsDiffer = priors.Count >= 2 && OperandPrior.Parse(byRelevance[^1]).B > OperandPrior.Parse(byRelevance[0]).B;
        Finding? priorEffect = null;
        if (priorsDiffer)
        {
            // Difference in differences: what each prior keeps of its own pre-trained count a, so that what
            // pre-training built in cancels.
            var findings = new List<Finding>();
            string hi = byRelevance[^1], lo = byRelevance[0];
            foreach (double l in lrs)
                foreach (double c in ctrs)
                {
                    SetAccuracy? PtA(string p) => r.Pretrained.TryGetValue(p, out var pt) ? Find(pt.Last, CleanA) : null;
                    SetAccuracy? hiFt = Acc(hi, l, c, CleanA), loFt = Acc(lo, l, c, CleanA), hiPt = PtA(hi), loPt = PtA(lo);
                    if (hiFt is null || loFt is null || hiPt is null || loPt is null) continue;
                    var keptHi = Of(hiFt).Minus(Of(hiPt));
                    var keptLo = Of(loFt).Minus(Of(loPt));
                    var d = keptHi.Minus(keptLo);
                    var f = d.AtLeast(PriorEffectMin);
                    findings.Add(f);
                    lines.Add($"prior, η {F(l)}, C_Tr {F(c)}: clean count a kept under {hi} {keptHi.SignedPoints()} minus under {lo} {keptLo.SignedPoints()} = {d.SignedPoints()} ≥ {Pts(PriorEffectMin)} → {f.Word()}");
                }
            if (findings.Count > 0)
            {
                priorEffect = Findings.Any(findings);
                lines.Add($"prior effect ⇒ {priorEffect.Value.Word()}");
            }
        }
        var ctrEffect = ctrs.Count < 2 ? null : Effect("C_Tr", CorrelationEffectMin,
            from p in priors from l in lrs select ($"{p}, η {F(l)}: clean count b at C_Tr {F(ctrs[0])} minus at C_Tr {F(ctrs[^1])}", Acc(p, l, ctrs[0], CleanB), Acc(p, l, ctrs[^1], CleanB)));
        if (!priorsDiffer) return new ClaimVerdict(claim, Verdict.NotTested, [.. lines, $"{priors.Count} prior(s) with different shares of b ran; the rule needs at least two"]);
        if (lrEffect is null || priorEffect is null || ctrEffect is null) return new ClaimVerdict(claim, Verdict.NotTested, [.. lines, "the grid lacks a second learning rate or C_Tr"]);
        return new ClaimVerdict(claim, Verdicts.From(Findings.All(lrEffect.Value, priorEffect.Value, ctrEffect.Value)), lines);
    }
}
