using NativeCore.Analysis;
using NativeCore.Tracr;
using NativeCore.Training;
using NativeCore.Verdicts;

namespace NativeCore.Tests.Verdicts;

/// <summary>
/// The Tracr verdict rules on constructed results: each says "reproduced" only where the claim's effect is there
/// and clear of its control, and "not reproduced" on null results (no wrapper, no single weight, no fast revival).
/// </summary>
public sealed class TracrRulesTests
{
    private const int N = 1024;
    private static readonly double[] Lrs = [1e-1, 1e-2, 1e-3, 1e-4];
    private static readonly TracrPaperConfig Config = new() { LearningRates = Lrs, ReftSteps = 600, ReftEvalEvery = 25 };

    private static string Set(string program, bool correlated, bool target) => TracrTask.SetName(program, target, correlated);

    /// <summary>The four held-out accuracies: count a and count b on clean and on correlated windows.</summary>
    private static IReadOnlyList<SetAccuracy> Sets(string program, double cleanA, double cleanB, double corrA, double corrB) =>
    [
        new(Set(program, false, false), cleanA, 0.3, N), new(Set(program, false, true), cleanB, 0.3, N),
        new(Set(program, true, false), corrA, 0.3, N), new(Set(program, true, true), corrB, 0.3, N),
    ];

    /// <summary>Every program × lr × C_Tr: a noised start that counts a, and an end the caller decides.</summary>
    private static List<TracrCell> Cells(Func<string, double, double, IReadOnlyList<SetAccuracy>> end) =>
        (from program in new[] { "counter", "maxid" }
         from lr in Lrs
         from ctr in new[] { 0.0, 1.0 }
         select new TracrCell(program, lr, ctr, Sets(program, 0.99, 0.1, 0.99, 0.0), end(program, lr, ctr))).ToList();

    private static TracrPruning Pruned(double lr, double ctr, double before, double afterOne) =>
        new($"lr {lr}, C_Tr {ctr}", lr, ctr, new SetAccuracy(Set("counter", false, false), before, 0.3, N), new SetAccuracy(Set("counter", false, false), afterOne, 0.3, N),
            "transformer.h.1.mlp.c_fc.weight[3]", [], "pruning/x/prune.png");

    private static RevivalCurve Curve(string name, double start, double level, long reachedAt)
    {
        var steps = Enumerable.Range(0, 25).Select(i => (long)i * 25).ToList();
        var acc = steps.Select(s => s >= reachedAt ? level : start).ToList();
        return new RevivalCurve(name, steps, acc, null, null, N);
    }

    /// <summary>Results in which every claim's effect is there: correlated fine-tunes are wrappers, one weight revives, reFT is fast.</summary>
    private static TracrPaperResults Positive() => new(Config, [], 16, true,
        Cells((program, lr, ctr) => ctr == 1 ? Sets(program, 0.02, 0.01, 0.02, 0.98) : Sets(program, 0.05, 0.97, 0.05, 0.97)),
        Lrs.SelectMany(lr => new[] { Pruned(lr, 0, 0.05, 0.07), Pruned(lr, 1, 0.02, 0.85) }).ToList(), Pruned(1e-2, 1, 0.03, 0.04),
        Lrs.SelectMany(lr => new[] { 0.0, 1.0 }.Select(ctr => new TracrRevival(lr, ctr, Curve($"reFT {lr} {ctr}", 0.03, 0.97, 75)))).ToList(),
        new TracrRevival(0, 0, Curve("control", 0.1, 0.1, 0)), 1);

    private static Verdict VerdictOf(TracrPaperResults r, int claim) => TracrRules.Decide(r)[claim].Verdict;

    [Fact]
    public void Every_claim_is_reproduced_where_its_effect_is_clear_of_its_control()
    {
        var r = Positive();
        Assert.All(TracrRules.Decide(r), v => Assert.Equal(Verdict.Reproduced, v.Verdict));
    }

    [Fact]
    public void No_wrapper_when_correlated_fine_tunes_learned_the_real_target()
    {
        // Null result: with C_Tr = 1 the model still answers count b on clean windows, so nothing is wrapped.
        var r = Positive() with { Cells = Cells((program, lr, ctr) => Sets(program, 0.05, 0.97, 0.05, 0.97)) };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 0));
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 1));
    }

    [Fact]
    public void A_wrapper_is_not_tested_when_the_uncorrelated_control_could_not_learn_the_target()
    {
        // Control: if even C_Tr = 0 never learns count b, failing on clean windows says nothing about the correlation.
        var r = Positive() with { Cells = Cells((program, lr, ctr) => ctr == 1 ? Sets(program, 0.02, 0.01, 0.02, 0.98) : Sets(program, 0.9, 0.1, 0.9, 0.1)) };
        Assert.Equal(Verdict.NotTested, VerdictOf(r, 0));
    }

    [Fact]
    public void No_single_weight_revival_when_pruning_gains_nothing()
    {
        var r = Positive() with { Pruning = Lrs.SelectMany(lr => new[] { Pruned(lr, 0, 0.05, 0.05), Pruned(lr, 1, 0.02, 0.03) }).ToList() };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 2));
    }

    [Fact]
    public void A_single_weight_gain_that_the_control_matches_does_not_count()
    {
        // Control: zeroing one weight of a model that never counted a gains as much, so the gain is not a revival.
        var r = Positive() with { ControlPruning = Pruned(1e-2, 1, 0.02, 0.85) };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 2));
    }

    [Fact]
    public void A_gain_short_of_sixty_points_does_not_count()
    {
        var r = Positive() with { Pruning = Lrs.SelectMany(lr => new[] { Pruned(lr, 0, 0.05, 0.05), Pruned(lr, 1, 0.02, 0.55) }).ToList() };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 2));
    }

    [Fact]
    public void A_gain_that_only_reaches_a_constant_answer_does_not_count()
    {
        // The one weight pushes the model to the majority class: a large gain, but no counting.
        var constant = (TracrPruning p) => p with { AfterOne = p.AfterOne with { MajorityShare = p.AfterOne.Accuracy } };
        var r = Positive() with { Pruning = Positive().Pruning.Select(constant).ToList() };
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 2));
    }

    [Fact]
    public void No_revival_when_reverse_fine_tuning_is_no_faster_than_the_control()
    {
        var slow = Lrs.SelectMany(lr => new[] { 0.0, 1.0 }.Select(ctr => new TracrRevival(lr, ctr, Curve($"reFT {lr} {ctr}", 0.03, 0.97, 400)))).ToList();
        Assert.Equal(Verdict.NotReproduced, VerdictOf(Positive() with { Revivals = slow }, 3));
        // And when the control learns count a as fast as reFT revives it.
        Assert.Equal(Verdict.NotReproduced, VerdictOf(Positive() with { ControlRevival = new TracrRevival(0, 0, Curve("control", 0.1, 0.97, 75)) }, 3));
    }

    [Fact]
    public void The_largest_lr_is_the_exception_and_does_not_decide_revival()
    {
        // Fast revival everywhere but the largest lr, which never revives: still reproduced, since the spec excepts it.
        var runs = Lrs.SelectMany(lr => new[] { 0.0, 1.0 }.Select(ctr => new TracrRevival(lr, ctr, Curve($"reFT {lr} {ctr}", 0.03, lr == 1e-1 ? 0.1 : 0.97, 75)))).ToList();
        var v = TracrRules.Decide(Positive() with { Revivals = runs })[3];
        Assert.Equal(Verdict.Reproduced, v.Verdict);
        Assert.Contains(v.Evidence, line => line.Contains("exception", StringComparison.Ordinal));
    }

    [Fact]
    public void Diverged_runs_are_not_counted_as_wrappers_and_a_diverged_revival_counts_against()
    {
        var r = Positive() with
        {
            Cells = Positive().Cells.Select(c => c.CorrelatedShare == 1 ? c with { Diverged = "loss is NaN at step 4" } : c).ToList(),
            Revivals = Positive().Revivals.Select(v => v with { Diverged = "loss is NaN at step 9" }).ToList(),
        };
        Assert.Equal(Verdict.NotTested, VerdictOf(r, 0));
        Assert.Equal(Verdict.NotReproduced, VerdictOf(r, 3));
    }

    [Fact]
    public void A_start_that_the_noise_already_broke_has_nothing_to_wrap_or_revive()
    {
        // The noised start counts a at 60%: the wrapper, the single weight and reFT would all be judged against a
        // capability that was not there, so none of them is tested.
        var weak = Positive() with { Cells = Positive().Cells.Select(c => c with { Start = Sets(c.Program, 0.60, 0.1, 0.60, 0.0) }).ToList() };
        Assert.Equal(Verdict.NotTested, VerdictOf(weak, 0));
        Assert.Equal(Verdict.NotTested, VerdictOf(weak, 2));
        Assert.Equal(Verdict.NotTested, VerdictOf(weak, 3));
    }

    [Fact]
    public void Nothing_to_revive_is_not_tested_rather_than_reproduced()
    {
        // Fine-tunes that kept count a: claims 2 and 3 have nothing to test.
        var r = Positive() with { Cells = Cells((program, lr, ctr) => Sets(program, 0.99, 0.97, 0.99, 0.98)), Pruning = Lrs.Select(lr => Pruned(lr, 1, 0.99, 0.99)).ToList(),
            Revivals = Lrs.Select(lr => new TracrRevival(lr, 1, Curve("kept", 0.99, 0.99, 0))).ToList() };
        Assert.Equal(Verdict.NotTested, VerdictOf(r, 2));
        Assert.Equal(Verdict.NotTested, VerdictOf(r, 3));
    }
}
