using NativeCore.Analysis;

namespace NativeCore.Verdicts;

/// <summary>Steps-to-level comparisons between revival curves, with each accuracy's interval taken into account.</summary>
internal static class Revivals
{
    /// <summary>A crossing step as evidence lines print it: the step, or "never".</summary>
    public static string StepText(long? step) => step?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "never";

    /// <summary>
    /// The first step where <paramref name="curve"/> reaches <paramref name="level"/> clearly (its Wilson interval's
    /// lower end does) and possibly (its upper end does); null where it never does within its steps.
    /// </summary>
    public static (long? Clearly, long? Possibly) Crossing(RevivalCurve curve, double level)
    {
        ArgumentNullException.ThrowIfNull(curve);
        long? clearly = null, possibly = null;
        for (int i = 0; i < curve.Steps.Count; i++)
        {
            var e = Estimate.Proportion(curve.Accuracy[i], curve.SetSize);
            if (possibly is null && e.High >= level) possibly = curve.Steps[i];
            if (clearly is null && e.Low >= level) clearly = curve.Steps[i];
        }
        return (clearly, possibly);
    }

    /// <summary>
    /// Whether <paramref name="run"/> reaches <paramref name="level"/> within <paramref name="share"/> of the steps the
    /// fastest of <paramref name="baselines"/> needs. A baseline that never gets there counts as its step budget. Yes:
    /// the run clearly crosses by that share of the baselines' possible crossing. No: the run never possibly crosses, or
    /// possibly crosses only after that share of the baselines' clear crossing. Otherwise unclear.
    /// </summary>
    public static (Finding Finding, long? Clearly, long? Possibly, long BaselinePossibly, long BaselineClearly) Faster(RevivalCurve run, IEnumerable<RevivalCurve> baselines, double level, double share)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(baselines);
        long basePossibly = long.MaxValue, baseClearly = long.MaxValue;
        foreach (var b in baselines)
        {
            var (c, p) = Crossing(b, level);
            basePossibly = Math.Min(basePossibly, p ?? b.Steps[^1]);
            baseClearly = Math.Min(baseClearly, c ?? b.Steps[^1]);
        }
        var (clearly, possibly) = Crossing(run, level);
        var f = clearly is { } cl && cl <= share * basePossibly ? Finding.Yes
            : possibly is null || possibly.Value > share * baseClearly ? Finding.No
            : Finding.Unclear;
        return (f, clearly, possibly, basePossibly, baseClearly);
    }
}
