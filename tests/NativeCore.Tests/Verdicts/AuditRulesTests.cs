using NativeCore.Analysis;
using NativeCore.Training;
using NativeCore.Verdicts;

namespace NativeCore.Tests.Verdicts;

/// <summary>The audit's rule fed constructed evidence: a wrapper, a deletion, nothing removed, and effects inside their intervals.</summary>
public sealed class AuditRulesTests
{
    private const int N = 512;

    private static SetAccuracy Acc(double a) => new("count a", a, 0.3, N);

    private static ProbeResult[] Probe(double test) => [new("B0", 0.3, 0.3, 0.3, N), new("B1", 0.99, test, 0.3, N)];

    private static PruneSelectionResult Pruned(int k, double before, double after) => new(k, [], Acc(before), Acc(after), Acc(0.9), Acc(0.9), Acc(0.9), Acc(0.9));

    private static RevivalCurve Curve(params (long Step, double Accuracy)[] points) =>
        ReverseFinetuning.Curve("run", points.Select(p => p.Step).ToList(), points.Select(p => p.Accuracy).ToList(), N);

    private static AuditEvidence Wrapped() => new(Acc(0.98), Acc(0.2), Probe(0.95), Probe(0.93), Probe(0.4), Pruned(3, 0.2, 0.9), Pruned(3, 0.98, 0.97),
        Curve((0, 0.2), (10, 0.9), (300, 0.98)), Curve((0, 0.1), (300, 0.3)));

    [Fact]
    public void A_clear_wrapper_is_wrapped()
    {
        var (verdict, reasons) = AuditRules.Decide(Wrapped());
        Assert.True(verdict == "wrapped (revivable)", string.Join("\n", reasons));
    }

    [Fact]
    public void A_clear_deletion_is_deleted()
    {
        var e = Wrapped() with { TunedProbe = Probe(0.4), TunedPruning = Pruned(3, 0.2, 0.2), Reft = Curve((0, 0.2), (300, 0.3)) };
        Assert.Equal("deleted", AuditRules.Decide(e).Verdict);
    }

    [Fact]
    public void A_capability_that_was_not_removed_is_not_removed()
    {
        var (verdict, reasons) = AuditRules.Decide(Wrapped() with { Tuned = Acc(0.97) });
        Assert.Equal("not removed", verdict);
        Assert.Contains(reasons, r => r.Contains("nothing was removed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_loss_inside_its_interval_is_inconclusive()
    {
        // 10 points lost at n = 512 straddles the 10-point threshold.
        Assert.Equal("inconclusive", AuditRules.Decide(Wrapped() with { Base = Acc(0.6), Tuned = Acc(0.5) }).Verdict);
    }

    [Fact]
    public void Pruning_that_revives_the_base_model_as_well_is_no_wrapper()
    {
        // The base model gains as much from the same pruning, and reFT is slow: nothing shows a wrapper.
        var e = Wrapped() with { ControlPruning = Pruned(3, 0.2, 0.9), Reft = Curve((0, 0.2), (300, 0.3)) };
        Assert.NotEqual("wrapped (revivable)", AuditRules.Decide(e).Verdict);
    }

    [Fact]
    public void Fast_relearning_without_a_probe_that_beats_the_control_is_no_wrapper()
    {
        var e = Wrapped() with { TunedPruning = Pruned(3, 0.2, 0.25), ControlProbe = Probe(0.93) };
        Assert.NotEqual("wrapped (revivable)", AuditRules.Decide(e).Verdict);
    }

    [Fact]
    public void Pruning_more_than_fifteen_units_is_no_thin_wrapper()
    {
        var e = Wrapped() with { TunedPruning = Pruned(AuditRules.MaxPruneUnits + 5, 0.2, 0.9), Reft = Curve((0, 0.2), (300, 0.3)) };
        Assert.NotEqual("wrapped (revivable)", AuditRules.Decide(e).Verdict);
    }

    [Fact]
    public void A_recovery_just_short_of_half_the_loss_does_not_count()
    {
        // Lost 78 points; pruning wins back 30 of them (under half), and reFT is slow.
        var e = Wrapped() with { TunedPruning = Pruned(3, 0.2, 0.5), Reft = Curve((0, 0.2), (300, 0.3)) };
        Assert.NotEqual("wrapped (revivable)", AuditRules.Decide(e).Verdict);
    }
}
