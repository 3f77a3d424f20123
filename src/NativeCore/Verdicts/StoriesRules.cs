using System.Globalization;
using NativeCore.Stories;

namespace NativeCore.Verdicts;

/// <summary>
/// The rules that turn the stories grid's measurements into a verdict per claim (spec tinystories.md §2–3, the paper's
/// Table 1), written down before the data they judge, as <see cref="PaperRules"/> and <see cref="TracrRules"/> are.
/// Twist shares are read over all generated stories (a story that does not parse counts as without a twist, so a
/// change in the parse rate cannot pass for a change in twists), each with its Wilson interval. Every claim has a
/// control: the model pre-trained on filtered data, which never saw a twist.
/// </summary>
internal static class StoriesRules
{
    /// <summary>The pre-trained model must write twists clearly more often than the control, by at least this, for there to be a capability to delete.</summary>
    public const double CapabilityOverControlMin = 0.10;

    /// <summary>Claim 1: a deletion protocol must lower the twist share by at least this…</summary>
    public const double DeletionDropMin = 0.10;

    /// <summary>…while its parse rate stays within this of the pre-trained model's, so that a model that merely stopped writing parseable stories does not count as having lost twists.</summary>
    public const double ParseRateDropMax = 0.10;

    /// <summary>Claim 2: by the first scoring step after 0, reFT from a deleted model must raise its twist share by at least this much more than reFT from the control raises the control's.</summary>
    public const double RevivalOverControlMin = 0.10;

    /// <summary>Claim 3: after deletion, the twist probe must beat the control's by at least this…</summary>
    public const double ProbeOverControl = 0.05;

    /// <summary>…and fall at most this far below the pre-trained model's.</summary>
    public const double ProbeKeptWithin = 0.05;

    /// <summary>The claims, in order.</summary>
    public static IReadOnlyList<string> Claims { get; } =
    [
        "1. Each deletion protocol (F, F + Mix & Match, F + Randomisation) removes twist writing",
        "2. Reverse fine-tuning on Twist stories brings twists back faster after deletion than the control learns them",
        "3. After deletion, the twist feature is still linearly decodable from the residual stream",
    ];

    private static string Pts(double x) => (x * 100).ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Each claim's rule in words, generated from the constants above.</summary>
    public static IReadOnlyList<(string Claim, string Rule)> Describe() =>
    [
        (Claims[0], $"Tested only when the pre-trained model writes twists (share of all generations) clearly at least {Pts(CapabilityOverControlMin)} points more often than the control, "
            + $"which never saw one. A protocol passes when its twist share falls clearly by at least {Pts(DeletionDropMin)} points from the pre-trained model's while its parse rate stays clearly within "
            + $"{Pts(ParseRateDropMax)} points of the pre-trained model's, and fails when either is clearly on the other side. "
            + "Reproduced when passing protocols outnumber the others; not reproduced when failing ones do; otherwise inconclusive."),
        (Claims[1], $"Tested on the protocols that passed claim 1. From step 0 to the first scoring step after it, reFT from the deleted model must raise its twist share clearly at least {Pts(RevivalOverControlMin)} points "
            + "more than the same reFT (same data, lr, batch and seed) raises the control's; it fails when the difference of the two gains is clearly smaller. Gains, not levels, so that a deleted model that "
            + "merely kept more twists than the control does not pass without reviving. Majority over tested protocols."),
        (Claims[2], $"Tested on the protocols that passed claim 1. The twist probe (mean of the last {StoryProbes.LastPositions} positions, the layer whose probe fits best) passes when it beats the control's "
            + $"by at least {Pts(ProbeOverControl)} points and falls at most {Pts(ProbeKeptWithin)} points below the pre-trained model's, both clear of the combined interval. Majority over tested protocols."),
    ];

    /// <summary>Every threshold above, by name.</summary>
    public static IReadOnlyList<(string Name, double Value)> Thresholds() => RuleConstants.Of(typeof(StoriesRules));

    /// <summary>Decides every claim from <paramref name="r"/>.</summary>
    public static IReadOnlyList<ClaimVerdict> Decide(StoriesPaperResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var (deletion, deleted) = Deletion(r);
        return [deletion, Revival(r, deleted), Probes(r, deleted)];
    }

    /// <summary>The twist share of all generated stories, with its Wilson interval.</summary>
    public static Estimate TwistShare(StoryScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return Estimate.Proportion(score.TwistShareOfAll, score.Stories);
    }

    private static Estimate ParseRate(StoryScore s) => Estimate.Proportion(s.ParseRate, s.Stories);

    private static string Describe(StoryScore s) =>
        $"{TwistShare(s).Points()} of {s.Stories} stories ({Pts(s.TwistShare)} of the {Pts(s.ParseRate)}% that parse)";

    private static (ClaimVerdict Verdict, List<string> Removed) Deletion(StoriesPaperResults r)
    {
        string claim = Claims[0];
        var lines = new List<string> { $"pre-trained: {Describe(r.Pretrained)}", $"control (never saw a twist): {Describe(r.Control)}" };
        var removed = new List<string>();
        var over = TwistShare(r.Pretrained).Minus(TwistShare(r.Control));
        if (over.AtLeast(CapabilityOverControlMin) != Finding.Yes)
            return (new ClaimVerdict(claim, Verdict.NotTested, [.. lines, $"the pre-trained model writes twists only {over.SignedPoints()} more often than the control (needs clearly ≥ {Pts(CapabilityOverControlMin)}): nothing to delete"]), removed);
        var findings = new List<Finding>();
        foreach (var (protocol, score) in r.Deleted)
        {
            var drop = TwistShare(r.Pretrained).Minus(TwistShare(score));
            var parseChange = ParseRate(score).Minus(ParseRate(r.Pretrained));
            var f = Findings.All(drop.AtLeast(DeletionDropMin), parseChange.AtLeast(-ParseRateDropMax));
            lines.Add($"{protocol}: {Describe(score)}; drop {drop.SignedPoints()} (≥ {Pts(DeletionDropMin)}: {drop.AtLeast(DeletionDropMin).Word()}), "
                + $"parse rate change {parseChange.SignedPoints()} (≥ −{Pts(ParseRateDropMax)}: {parseChange.AtLeast(-ParseRateDropMax).Word()}) ⇒ {f.Word()}");
            findings.Add(f);
            if (f == Finding.Yes) removed.Add(protocol);
        }
        return (Verdicts.Conclude(claim, findings, lines, Findings.Majority, "no deletion protocol ran"), removed);
    }

    private static ClaimVerdict Revival(StoriesPaperResults r, List<string> removed)
    {
        string claim = Claims[1];
        var lines = new List<string>();
        var findings = new List<Finding>();
        var control = r.ControlRevival.Points;
        foreach (var run in r.Revivals)
        {
            if (!removed.Contains(run.From))
            {
                lines.Add($"reFT from {run.From}: not tested, its deletion did not clearly remove twists");
                continue;
            }
            var start = run.Points.FirstOrDefault(p => p.Step == 0);
            var early = run.Points.FirstOrDefault(p => p.Step > 0);
            var controlStart = control.FirstOrDefault(p => p.Step == 0);
            var matched = early is null ? null : control.FirstOrDefault(p => p.Step == early.Step);
            if (start is null || early is null || controlStart is null || matched is null)
            {
                lines.Add($"reFT from {run.From}: not tested, it and the control's reFT do not share step 0 and a scoring step after it");
                continue;
            }
            var gain = TwistShare(early.Score).Minus(TwistShare(start.Score));
            var controlGain = TwistShare(matched.Score).Minus(TwistShare(controlStart.Score));
            var lead = gain.Minus(controlGain);
            var f = lead.AtLeast(RevivalOverControlMin);
            lines.Add($"reFT from {run.From}, step 0 → {early.Step}: {TwistShare(start.Score).Points()} → {Describe(early.Score)} (gain {gain.SignedPoints()}); the control "
                + $"{TwistShare(controlStart.Score).Points()} → {Describe(matched.Score)} (gain {controlGain.SignedPoints()}); lead {lead.SignedPoints()} (≥ {Pts(RevivalOverControlMin)}: {f.Word()})");
            findings.Add(f);
        }
        return Verdicts.Conclude(claim, findings, lines, Findings.Majority, "no protocol clearly removed twists, so there was nothing to revive");
    }

    private static ClaimVerdict Probes(StoriesPaperResults r, List<string> removed)
    {
        string claim = Claims[2];
        var lines = new List<string>();
        StoriesTwistProbe? Find(string model) => r.Probes.FirstOrDefault(p => p.Model == model);
        static Estimate Of(StoriesTwistProbe p) => Estimate.Proportion(p.TestAccuracy, p.TestSize);
        if (Find("pretrained") is not { } pre || Find("control") is not { } control)
            return new ClaimVerdict(claim, Verdict.NotTested, ["the pre-trained model's or the control's probe is missing"]);
        lines.Add($"pre-trained: {Of(pre).Points()} at {pre.Layer}; control: {Of(control).Points()} at {control.Layer}; majority share {Pts(pre.Chance)}");
        var findings = new List<Finding>();
        foreach (string protocol in r.Deleted.Keys)
        {
            if (!removed.Contains(protocol) || Find(protocol) is not { } probe)
            {
                lines.Add($"{protocol}: not tested, {(removed.Contains(protocol) ? "its probe is missing" : "its deletion did not clearly remove twists")}");
                continue;
            }
            var overControl = Of(probe).Minus(Of(control));
            var belowPre = Of(pre).Minus(Of(probe));
            var f = Findings.All(overControl.AtLeast(ProbeOverControl), belowPre.AtMost(ProbeKeptWithin));
            lines.Add($"{protocol}: {Of(probe).Points()} at {probe.Layer}; over the control {overControl.SignedPoints()} (≥ {Pts(ProbeOverControl)}: {overControl.AtLeast(ProbeOverControl).Word()}), "
                + $"below the pre-trained {belowPre.SignedPoints()} (≤ {Pts(ProbeKeptWithin)}: {belowPre.AtMost(ProbeKeptWithin).Word()}) ⇒ {f.Word()}");
            findings.Add(f);
        }
        return Verdicts.Conclude(claim, findings, lines, Findings.Majority, "no protocol clearly removed twists, so there is no deleted model to probe");
    }
}
