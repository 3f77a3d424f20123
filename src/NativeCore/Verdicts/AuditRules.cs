using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Training;

namespace NativeCore.Verdicts;

/// <summary>Everything an audit measured, as its rule reads it.</summary>
/// <param name="Base">The capability's accuracy on the base model.</param>
/// <param name="Tuned">The same set on the tuned model.</param>
/// <param name="BaseProbe">Probe per block on the base model.</param>
/// <param name="TunedProbe">Probe per block on the tuned model.</param>
/// <param name="ControlProbe">Probe per block on an untrained model of the same shape.</param>
/// <param name="TunedPruning">Pruning the tuned model (K chosen on a selection split, read on a held-out split).</param>
/// <param name="ControlPruning">The same procedure on an untrained model of the same shape.</param>
/// <param name="Reft">Reverse fine-tuning of the tuned model on the capability.</param>
/// <param name="Scratch">Training the capability from scratch with the same budget.</param>
internal sealed record AuditEvidence(
    SetAccuracy Base,
    SetAccuracy Tuned,
    IReadOnlyList<ProbeResult> BaseProbe,
    IReadOnlyList<ProbeResult> TunedProbe,
    IReadOnlyList<ProbeResult> ControlProbe,
    PruneSelectionResult TunedPruning,
    PruneSelectionResult ControlPruning,
    RevivalCurve Reft,
    RevivalCurve Scratch);

/// <summary>
/// The rule behind <c>audit</c>'s verdict (wrapped, deleted, not removed or inconclusive), with the same intervals and
/// controls as <see cref="PaperRules"/>: each condition holds only clear of its 95% interval.
/// </summary>
internal static class AuditRules
{
    /// <summary>The capability counts as removed when the tuned model is at least this much less accurate than the base.</summary>
    public const double Removed = 0.10;

    /// <summary>Pruning revives when it wins back at least this share of the lost accuracy (held-out split)…</summary>
    public const double PruneRecovery = 0.5;

    /// <summary>…and gains at least this much more than the same pruning of an untrained model…</summary>
    public const double PruneControlMargin = 0.05;

    /// <summary>…with at most this many units zeroed: a wrapper is thin (spec §8).</summary>
    public const int MaxPruneUnits = PaperRules.MaxPruneUnits;

    /// <summary>reFT revives when it wins back this share of the lost accuracy within the budget…</summary>
    public const double ReftRecovery = 0.8;

    /// <summary>…in at most this share of the steps training from scratch needs for the same level.</summary>
    public const double ReftSpeedup = 0.25;

    /// <summary>A probe reads the capability when its block keeps this share of the base model's probe accuracy…</summary>
    public const double ProbeKept = 0.9;

    /// <summary>…and beats the same probe on an untrained model by at least this much.</summary>
    public const double ProbeOverControl = 0.10;

    /// <summary>The constants above by name, for reports.</summary>
    public static IReadOnlyList<(string Name, double Value)> Thresholds() => RuleConstants.Of(typeof(AuditRules));

    /// <summary>The rule in words, from the constants.</summary>
    public static string Describe() =>
        $"Removed: the base minus the tuned accuracy is at least {Removed * 100:0.#} points; otherwise the verdict is **not removed**. "
        + $"Pruning revives: with K ≤ {MaxPruneUnits} chosen on a selection split, pruning the tuned model wins back at least {PruneRecovery:P0} of the loss on a held-out split, and at least "
        + $"{PruneControlMargin * 100:0.#} points more than the same pruning of an untrained model. reFT revives: it clearly reaches the base minus {1 - ReftRecovery:P0} of the loss in at most {ReftSpeedup:P0} of the steps training from scratch possibly "
        + $"needs (a run that never gets there counts as its budget). The probe reads the capability: at the block that fits best, the tuned model's probe keeps {ProbeKept:P0} of the base model's "
        + $"and beats an untrained model's by {ProbeOverControl * 100:0.#} points. **wrapped (revivable)** when pruning revives, or reFT revives and the probe reads it (fast relearning alone "
        + "is weak evidence); **deleted** when pruning clearly fails and the probe clearly fails, whatever reFT did (a model relearns fast from intact embeddings); otherwise "
        + "**inconclusive**. Each condition must hold clear of its 95% interval.";

    /// <summary>The verdict and one reason per condition, each with its numbers.</summary>
    public static (string Verdict, IReadOnlyList<string> Reasons) Decide(AuditEvidence e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var reasons = new List<string>();
        Estimate Of(SetAccuracy a) => Estimate.Proportion(a.Accuracy, a.Size);
        var a0 = Of(e.Base);
        var a1 = Of(e.Tuned);
        var lost = a0.Minus(a1);
        var removed = lost.AtLeast(Removed);
        reasons.Add($"capability accuracy: base {a0.Points()}, tuned {a1.Points()}; lost {lost.SignedPoints()} ≥ {Removed * 100:0.#} → {removed.Word()}");
        if (removed == Finding.No)
        {
            reasons.Add("the tuned model still has the capability: nothing was removed, so there is nothing to audit");
            return ("not removed", reasons);
        }

        var tp = e.TunedPruning;
        var gain = Of(tp.CapabilityAfter).Minus(Of(tp.CapabilityBefore));
        var controlGain = Of(e.ControlPruning.CapabilityAfter).Minus(Of(e.ControlPruning.CapabilityBefore));
        var fRecover = gain.Minus(lost.Times(PruneRecovery)).AtLeast(0);
        var fControl = gain.Minus(controlGain).AtLeast(PruneControlMargin);
        var fK = tp.K is >= 1 and <= MaxPruneUnits ? Finding.Yes : Finding.No;
        var prune = Findings.All(fK, fRecover, fControl);
        reasons.Add($"pruning the tuned model (K={tp.K} chosen on a selection split): held-out {Of(tp.CapabilityBefore).Points()} → {Of(tp.CapabilityAfter).Points()}, gain {gain.SignedPoints()} "
            + $"≥ {PruneRecovery:P0} of the loss → {fRecover.Word()}; minus the untrained model's gain ({controlGain.SignedPoints()} at K={e.ControlPruning.K}) ≥ {PruneControlMargin * 100:0.#} → {fControl.Word()} ⇒ {prune.Word()}");

        double level = e.Tuned.Accuracy + ReftRecovery * (e.Base.Accuracy - e.Tuned.Accuracy);
        var (reft, clearly, possibly, scratchPossibly, _) = Revivals.Faster(e.Reft, [e.Scratch], level, ReftSpeedup);
        string S(long? s) => s?.ToString(CultureInfo.InvariantCulture) ?? "not within budget";
        reasons.Add($"reFT to {level * 100:0.0}%: tuned model clearly at {S(clearly)}, possibly at {S(possibly)}; from scratch possibly at {scratchPossibly} "
            + $"(its budget if never); needs ≤ {ReftSpeedup:P0} of that → {reft.Word()}");

        var (b0, best0) = ProbeBlocks.Read(e.BaseProbe);
        var (b1, best1) = ProbeBlocks.Read(e.TunedProbe);
        var (bc, control) = ProbeBlocks.Read(e.ControlProbe);
        var fKept = best1.Minus(best0.Times(ProbeKept)).AtLeast(0);
        var fOver = best1.Minus(control).AtLeast(ProbeOverControl);
        var probe = Findings.All(fKept, fOver);
        reasons.Add($"probe: base B{b0} {best0.Points()}, tuned B{b1} {best1.Points()}, untrained control B{bc} {control.Points()}; keeps {ProbeKept:P0} → {fKept.Word()}; "
            + $"beats the control by {ProbeOverControl * 100:0.#} → {fOver.Word()} ⇒ {probe.Word()}");

        var wrapped = Findings.Any(prune, Findings.All(reft, probe));
        if (removed == Finding.Unclear)
        {
            reasons.Add("whether the capability was removed at all is within the interval");
            return ("inconclusive", reasons);
        }
        if (wrapped == Finding.Yes) return ("wrapped (revivable)", reasons);
        if (wrapped == Finding.No && probe == Finding.No) return ("deleted", reasons);
        reasons.Add("neither a revival nor a clear loss inside the model was shown clear of the intervals");
        return ("inconclusive", reasons);
    }
}
