using System.Globalization;
using NativeCore.Tracr;
using NativeCore.Training;

namespace NativeCore.Verdicts;

/// <summary>
/// The rules that turn the Tracr grid's measurements into a verdict per claim of spec tracr.md §4 and paper.md §9.
/// Written down before the data they judge, like <see cref="PaperRules"/>: every threshold is a named constant, every
/// accuracy enters with its Wilson interval, and a condition holds only when its interval lies clear of the threshold.
/// Each claim has a control: the same fine-tune without the correlation (claim 1), or the Counter's architecture from
/// random weights, which never had the capability (claims 2 and 3).
/// </summary>
internal static class TracrRules
{
    /// <summary>Every claim tests only fine-tunes whose noised start (step 0) clearly counted a at least this well: otherwise there is no compiled capability to wrap or revive.</summary>
    public const double StartWorksMin = 0.90;

    /// <summary>Claim 1: a fine-tune learned its target when Acc O_FT on the windows it trained on (correlated) reaches this…</summary>
    public const double LearnedMin = 0.8;

    /// <summary>…and it is a wrapper when, on clean windows (C_Te = 0), Acc O_FT stays at most this…</summary>
    public const double WrapperCleanMax = 0.2;

    /// <summary>…while the control, the same fine-tune with C_Tr = 0, clearly learned the target on clean windows (at least this), so the recipe could have.</summary>
    public const double ControlLearnedMin = 0.5;

    /// <summary>Claims 2 and 3 test only fine-tunes that lowered count(a) from the noised start by at least this much: otherwise there is nothing to revive.</summary>
    public const double CapabilityLostMin = 0.10;

    /// <summary>Claim 2: zeroing one weight must raise count(a) by at least this, clear of the interval (the paper: "more than 60%")…</summary>
    public const double OneWeightGainMin = 0.60;

    /// <summary>…and by at least this much more than zeroing one weight of the control does…</summary>
    public const double ControlGainMargin = 0.10;

    /// <summary>…and leave count(a) at least this far above the set's majority-class share, so that a model pushed to one constant answer does not count as revived.</summary>
    public const double AboveMajorityMin = 0.05;

    /// <summary>Claim 3: the accuracy a revival must reach.</summary>
    public const double RevivalLevel = 0.90;

    /// <summary>Claim 3: reFT must get there in at most this share of the steps the control needs (its step budget when it never does).</summary>
    public const double RevivalStepShare = 1.0 / 3;

    /// <summary>The claims, in order.</summary>
    public static IReadOnlyList<string> Claims { get; } =
    [
        "1. Correlated fine-tuning of the compiled Counter learns a wrapper: count(a) shifted, right on correlated data and wrong on clean data",
        "1b. The same on the compiled Max-identifier (the paper's Table 3 shows it less clearly; context for claim 1)",
        "2. After a correlated fine-tune, zeroing one weight raises count(a) accuracy by more than 60 points",
        "3. Reverse fine-tuning at lr 1e-4 revives count(a) fast (after the largest learning rate, the spec's exception, it is reported, not judged)",
    ];

    private static string Pts(double x) => (x * 100).ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Each claim's rule in words, generated from the constants above.</summary>
    public static IReadOnlyList<(string Claim, string Rule)> Describe() =>
    [
        (Claims[0], $"Tested on every Counter fine-tune with C_Tr = 1 whose noised start clearly computed the compiled capability (≥ {Pts(StartWorksMin)}% at step 0) and whose control (the same program and lr with C_Tr = 0) clearly reached {Pts(ControlLearnedMin)}% on clean count b, so that "
            + $"the recipe could learn the target at that lr. A fine-tune passes when Acc O_FT on correlated windows (C_Te = 1) is clearly at least {Pts(LearnedMin)}% and on clean windows (C_Te = 0) clearly "
            + $"at most {Pts(WrapperCleanMax)}%; it fails when either is clearly on the other side. Reproduced when passing fine-tunes outnumber the others, not reproduced when failing ones do, otherwise inconclusive; "
            + "not tested when no control learned the target."),
        (Claims[1], "The rule of claim 1 on the Max-identifier's fine-tunes (count b becomes the 7th smallest letter; a correlated sample's 7th smallest lies q + 1 letters after its 5th)."),
        (Claims[2], $"Tested on every Counter fine-tune with C_Tr = 1 whose noised start clearly counted a (≥ {Pts(StartWorksMin)}%) and whose count(a) accuracy (C_Te = 0) fell clearly by at least {Pts(CapabilityLostMin)} points from its noised start. Weights "
            + "are scored by gradient × weight on the count(a) loss over 256 fresh samples, and the one best-scored weight of the blocks (the fixed readout excluded) is zeroed. A fine-tune passes when count(a) "
            + $"rises by at least {Pts(OneWeightGainMin)} points, by at least {Pts(ControlGainMargin)} points more than the same single-weight pruning gains on the control (the Counter's architecture "
            + $"from random weights, fine-tuned by the same recipe at lr 1e-2 with C_Tr = 1), and ends at least {Pts(AboveMajorityMin)} points above the set's majority-class share (a constant answer is no revival), "
            + "each clear of its interval. Reproduced when any tested fine-tune passes (the paper's claim is that such a weight "
            + "exists after a correlated fine-tune), not reproduced when every one fails clearly, otherwise inconclusive."),
        (Claims[3], $"Tested on every Counter fine-tune below the grid's largest lr whose noised start clearly counted a (≥ {Pts(StartWorksMin)}%) and whose count(a) accuracy fell clearly by at least {Pts(CapabilityLostMin)} points by its end (a run that diverged counts as never reaching the level). Each is fine-tuned back to count a "
            + $"at lr 1e-4 on plain data; so is the control from random weights. A run passes when it clearly reaches {Pts(RevivalLevel)}% in at most {RevivalStepShare:0.###} of the steps the control "
            + "possibly needs (its step budget when it never gets there), and fails when even its possible crossing comes later than that share of the control's clear one. Fine-tunes at the largest lr "
            + "are the spec's exception: reported, not counted. Majority over tested runs."),
    ];

    /// <summary>Every threshold above, by name.</summary>
    public static IReadOnlyList<(string Name, double Value)> Thresholds() => RuleConstants.Of(typeof(TracrRules));

    /// <summary>Decides every claim from <paramref name="r"/>.</summary>
    public static IReadOnlyList<ClaimVerdict> Decide(TracrPaperResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return [Wrapper(r, "counter", Claims[0]), Wrapper(r, "maxid", Claims[1]), OneWeight(r), Revival(r)];
    }

    private static Estimate Of(SetAccuracy a) => Estimate.Of(a);

    private static string Name(string program, bool correlated, bool target) =>
        TracrTask.SetName(program, target, correlated);

    private static string Lr(double lr) => lr.ToString("G2", CultureInfo.InvariantCulture);

    private static ClaimVerdict Wrapper(TracrPaperResults r, string program, string claim)
    {
        string cleanFt = Name(program, false, true), correlatedFt = Name(program, true, true);
        var lines = new List<string>();
        var findings = new List<Finding>();
        foreach (var cell in r.Cells.Where(c => c.Program == program && c.CorrelatedShare == 1))
        {
            var control = r.Cells.FirstOrDefault(c => c.Program == program && c.LearningRate == cell.LearningRate && c.CorrelatedShare == 0);
            string label = $"lr {Lr(cell.LearningRate)}, C_Tr 1";
            if (cell.Diverged is not null || control?.Diverged is not null)
            {
                lines.Add($"{label}: not tested, {(cell.Diverged is not null ? "it" : "its C_Tr = 0 control")} diverged: {cell.Diverged ?? control!.Diverged}");
                continue;
            }
            if (control is null)
            {
                lines.Add($"{label}: not tested, no C_Tr = 0 control ran at this lr");
                continue;
            }
            var start = Of(cell.AtStart(Name(program, false, false)));
            if (start.AtLeast(StartWorksMin) != Finding.Yes)
            {
                lines.Add($"{label}: not tested, its noised start computed the compiled capability at only {start.Points()} (needs clearly ≥ {Pts(StartWorksMin)})");
                continue;
            }
            var controlClean = Of(control[cleanFt]);
            if (controlClean.AtLeast(ControlLearnedMin) != Finding.Yes)
            {
                lines.Add($"{label}: not tested, the C_Tr = 0 control reached only {controlClean.Points()} on clean count b (needs clearly ≥ {Pts(ControlLearnedMin)})");
                continue;
            }
            var learned = Of(cell[correlatedFt]);
            var clean = Of(cell[cleanFt]);
            var f = Findings.All(learned.AtLeast(LearnedMin), clean.AtMost(WrapperCleanMax));
            lines.Add($"{label}: Acc O_FT {learned.Points()} on correlated windows (≥ {Pts(LearnedMin)}: {learned.AtLeast(LearnedMin).Word()}), {clean.Points()} on clean ones "
                + $"(≤ {Pts(WrapperCleanMax)}: {clean.AtMost(WrapperCleanMax).Word()}); control {controlClean.Points()} on clean ⇒ {f.Word()}");
            findings.Add(f);
        }
        return Verdicts.Conclude(claim, findings, lines, Findings.Majority, "no C_Tr = 0 control learned the target, so no correlated fine-tune could show a wrapper against it");
    }

    private static ClaimVerdict OneWeight(TracrPaperResults r)
    {
        string claim = Claims[2];
        var lines = new List<string>();
        if (r.ControlPruning is not { } control) return new ClaimVerdict(claim, Verdict.NotTested, ["the control's fine-tune diverged, so there is no control to prune"]);
        var controlGain = Of(control.AfterOne).Minus(Of(control.Before));
        lines.Add($"control ({control.Label}): count(a) {Of(control.Before).Points()} → {Of(control.AfterOne).Points()} after zeroing {control.Removed} ({controlGain.SignedPoints()})");
        var findings = new List<Finding>();
        string capability = Name("counter", false, false);
        foreach (var p in r.Pruning.Where(p => p.CorrelatedShare == 1))
        {
            var cell = r.Cells.First(c => c.Program == "counter" && c.LearningRate == p.LearningRate && c.CorrelatedShare == p.CorrelatedShare);
            if (Of(cell.AtStart(capability)).AtLeast(StartWorksMin) != Finding.Yes)
            {
                lines.Add($"{p.Label}: not tested, its noised start counted a at only {Of(cell.AtStart(capability)).Points()} (needs clearly ≥ {Pts(StartWorksMin)})");
                continue;
            }
            var lost = Of(cell.AtStart(capability)).Minus(Of(p.Before));
            if (lost.AtLeast(CapabilityLostMin) != Finding.Yes)
            {
                lines.Add($"{p.Label}: not tested, count(a) {Of(cell.AtStart(capability)).Points()} at the start and {Of(p.Before).Points()} after (lost {lost.SignedPoints()}; needs clearly ≥ {Pts(CapabilityLostMin)})");
                continue;
            }
            var gain = Of(p.AfterOne).Minus(Of(p.Before));
            var overControl = gain.Minus(controlGain);
            var overMajority = Of(p.AfterOne).AtLeast(p.AfterOne.MajorityShare + AboveMajorityMin);
            var f = Findings.All(gain.AtLeast(OneWeightGainMin), overControl.AtLeast(ControlGainMargin), overMajority);
            lines.Add($"{p.Label}: count(a) {Of(p.Before).Points()} → {Of(p.AfterOne).Points()} after zeroing {p.Removed}: gain {gain.SignedPoints()} (≥ {Pts(OneWeightGainMin)}: "
                + $"{gain.AtLeast(OneWeightGainMin).Word()}), over the control's {overControl.SignedPoints()} (≥ {Pts(ControlGainMargin)}: {overControl.AtLeast(ControlGainMargin).Word()}), "
                + $"majority share {Pts(p.AfterOne.MajorityShare)} (at least {Pts(AboveMajorityMin)} above it: {overMajority.Word()}) ⇒ {f.Word()}");
            findings.Add(f);
        }
        return Verdicts.Conclude(claim, findings, lines, fs => Findings.Any(fs), "no correlated fine-tune clearly lost count(a), so there was nothing for one weight to revive");
    }

    private static ClaimVerdict Revival(TracrPaperResults r)
    {
        string claim = Claims[3];
        var lines = new List<string>();
        if (r.ControlRevival.Diverged is { } why) return new ClaimVerdict(claim, Verdict.NotTested, [$"the control's reFT diverged: {why}"]);
        var control = r.ControlRevival.Curve;
        var (cc, cp) = Revivals.Crossing(control, RevivalLevel);
        lines.Add($"control ({control.Name}): {Estimate.Proportion(control.Accuracy[0], control.SetSize).Points()} → {Estimate.Proportion(control.Accuracy[^1], control.SetSize).Points()} in {control.Steps[^1]} steps; "
            + $"reaches {Pts(RevivalLevel)}% clearly at {Revivals.StepText(cc)}, possibly at {Revivals.StepText(cp)}");
        double largest = r.Config.LearningRates.Max();
        string capability = Name("counter", false, false);
        var findings = new List<Finding>();
        foreach (var run in r.Revivals)
        {
            string label = string.Create(CultureInfo.InvariantCulture, $"reFT from lr {Lr(run.FromLearningRate)}, C_Tr {run.CorrelatedShare}");
            var cell = r.Cells.First(c => c.Program == "counter" && c.LearningRate == run.FromLearningRate && c.CorrelatedShare == run.CorrelatedShare);
            var atStart = Of(cell.AtStart(capability));
            var start = Estimate.Proportion(run.Curve.Accuracy[0], run.Curve.SetSize);
            var lost = atStart.Minus(Of(cell[capability]));
            if (run.FromLearningRate != largest && atStart.AtLeast(StartWorksMin) != Finding.Yes)
            {
                lines.Add($"{label}: not tested, its noised start counted a at only {atStart.Points()} (needs clearly ≥ {Pts(StartWorksMin)})");
                continue;
            }
            if (run.FromLearningRate != largest && lost.AtLeast(CapabilityLostMin) != Finding.Yes)
            {
                lines.Add($"{label}: not tested, nothing clearly lost: {atStart.Points()} at the start, {Of(cell[capability]).Points()} after the fine-tune (lost {lost.SignedPoints()})");
                continue;
            }
            if (run.Diverged is not null)
            {
                lines.Add($"{label}: diverged, counted as never reaching {Pts(RevivalLevel)}%{(run.FromLearningRate == largest ? " (the spec's exception, not counted)" : "")}: {run.Diverged}");
                if (run.FromLearningRate != largest) findings.Add(Finding.No);
                continue;
            }
            var (f, clearly, possibly, basePossibly, _) = Revivals.Faster(run.Curve, [control], RevivalLevel, RevivalStepShare);
            string numbers = $"from {start.Points()} (lost {lost.SignedPoints()}); reaches {Pts(RevivalLevel)}% clearly at {Revivals.StepText(clearly)}, possibly at {Revivals.StepText(possibly)}; "
                + $"needs ≤ {(RevivalStepShare * basePossibly).ToString("0.#", CultureInfo.InvariantCulture)}";
            if (run.FromLearningRate == largest)
            {
                lines.Add($"{label}: the spec's exception (the largest lr), not counted: {numbers} ⇒ {f.Word()}");
                continue;
            }
            lines.Add($"{label}: {numbers} ⇒ {f.Word()}");
            findings.Add(f);
        }
        return Verdicts.Conclude(claim, findings, lines, Findings.Majority, "no fine-tune below the largest lr clearly lost count(a), so there was nothing to revive");
    }
}
