using NativeCore.Stories;
using NativeCore.Verdicts;

namespace NativeCore.Tests.Verdicts;

/// <summary>
/// The stories verdict rules on constructed results: reproduced only where deletion, revival and the probe are clear of
/// their controls, and "not reproduced" on null results.
/// </summary>
public sealed class StoriesRulesTests
{
    private const int Stories = 400;

    /// <summary>A score of <paramref name="stories"/> stories of which a share <paramref name="twists"/> has a twist; 90% parse.</summary>
    private static StoryScore Score(double twists, int stories = Stories)
    {
        var counts = StoryFeatures.All.ToDictionary(f => f, _ => 0);
        counts[StoryFeature.Twist] = (int)Math.Round(twists * stories);
        return new StoryScore(stories, (int)(0.9 * stories), counts);
    }

    private static StoriesRevival Curve(string from, double start, double early, double late) =>
        new(from, [new StoriesScorePoint(0, Score(start)), new StoriesScorePoint(30, Score(early)), new StoriesScorePoint(300, Score(late))]);

    private static readonly string[] Protocols = ["f", "f+mm", "f+rr"];

    /// <summary>Table 1's shape: deletion removes twists, reFT brings them back at once while the control is slow, and the probe keeps reading twist.</summary>
    private static StoriesPaperResults Positive() => new(
        Pretrained: Score(0.45), Control: Score(0.05),
        Deleted: Protocols.ToDictionary(p => p, _ => Score(0.05)),
        Revivals: [.. Protocols.Select(p => Curve(p, 0.05, 0.80, 0.81))],
        ControlRevival: Curve("control", 0.05, 0.30, 0.45),
        Probes: [new("pretrained", "B2", 0.95, 800), new("control", "B2", 0.80, 800), .. Protocols.Select(p => new StoriesTwistProbe(p, "B2", 0.94, 800))]);

    private static Verdict VerdictOf(StoriesPaperResults r, int claim) => StoriesRules.Decide(r)[claim].Verdict;

    [Fact]
    public void Every_claim_is_reproduced_where_its_effect_is_clear_of_its_control()
    {
        Assert.All(StoriesRules.Decide(Positive()), v => Assert.Equal(Verdict.Reproduced, v.Verdict));
    }

    [Fact]
    public void Deletion_that_leaves_the_twist_share_where_it_was_is_not_reproduced()
    {
        var r = Positive() with { Deleted = Protocols.ToDictionary(p => p, _ => Score(0.43)) };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 0));
        // Nothing was removed, so revival and the probe have nothing to test.
        Assert.Equal(Verdict.NotTested, VerdictOf(r, 1));
        Assert.Equal(Verdict.NotTested, VerdictOf(r, 2));
    }

    [Fact]
    public void Without_a_capability_over_the_control_deletion_is_not_tested()
    {
        var r = Positive() with { Pretrained = Score(0.06) };
        Assert.Equal(Verdict.NotTested, VerdictOf(r, 0));
    }

    [Fact]
    public void A_deletion_that_only_breaks_the_story_format_does_not_count()
    {
        // Null result: among parsed stories the twist share is unchanged (45%), but only 10% parse, so over all
        // stories it fell. The parse-rate condition refuses it: the model lost its format, not its twists.
        var counts = StoryFeatures.All.ToDictionary(f => f, _ => 0);
        counts[StoryFeature.Twist] = 18;
        var halfParsed = new StoryScore(Stories, 40, counts);
        var r = Positive() with { Deleted = new Dictionary<string, StoryScore> { ["f"] = halfParsed } };
        var v = StoriesRules.Decide(r)[0];
        Assert.Equal(Verdict.NotReproduced, v.Verdict);
        Assert.Contains(v.Evidence, line => line.Contains("f:", StringComparison.Ordinal) && line.Contains("parse rate change", StringComparison.Ordinal));
    }

    [Fact]
    public void A_deleted_model_that_kept_more_twists_than_the_control_is_no_revival_when_reft_adds_nothing()
    {
        // Null result: flat curves, the deleted models sitting 20 points above the control from step 0 on.
        var r = Positive() with
        {
            Deleted = Protocols.ToDictionary(p => p, _ => Score(0.25)),
            Revivals = [.. Protocols.Select(p => Curve(p, 0.25, 0.25, 0.25))],
            ControlRevival = Curve("control", 0.05, 0.05, 0.05),
        };
        Assert.Equal(Verdict.Reproduced, VerdictOf(r, 0));
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 1));
    }

    [Fact]
    public void Revival_no_faster_than_the_control_is_not_reproduced()
    {
        var r = Positive() with { Revivals = [.. Protocols.Select(p => Curve(p, 0.05, 0.25, 0.45))] };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 1));
        // And when the control learns twists as fast as the deleted models recover them.
        Assert.Equal(Verdict.NotReproduced, VerdictOf(Positive() with { ControlRevival = Curve("control", 0.05, 0.80, 0.81) }, 1));
    }

    [Fact]
    public void A_probe_no_better_than_the_control_is_not_reproduced()
    {
        var r = Positive() with { Probes = [new("pretrained", "B2", 0.95, 800), new("control", "B2", 0.93, 800), .. Protocols.Select(p => new StoriesTwistProbe(p, "B2", 0.94, 800))] };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 2));
        // And one that lost what the pre-trained model read.
        var lost = Positive() with { Probes = [new("pretrained", "B2", 0.95, 800), new("control", "B2", 0.70, 800), .. Protocols.Select(p => new StoriesTwistProbe(p, "B2", 0.80, 800))] };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(lost, 2));
    }
}
