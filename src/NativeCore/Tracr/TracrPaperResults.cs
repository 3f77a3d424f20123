using NativeCore.Analysis;
using NativeCore.Training;

namespace NativeCore.Tracr;

/// <summary>One fine-tune of the Tracr grid: the four held-out accuracies after the noise (step 0) and at the end.</summary>
/// <param name="Program">counter or maxid.</param>
/// <param name="LearningRate">The peak learning rate.</param>
/// <param name="CorrelatedShare">C_Tr.</param>
/// <param name="Start">Accuracies at step 0, after the recipe's noise.</param>
/// <param name="End">Accuracies after the last step (after the last evaluation before a divergence).</param>
/// <param name="Diverged">Why training stopped early (a NaN or infinite loss, gradient or weight), or null when it ran to the end.</param>
internal sealed record TracrCell(string Program, double LearningRate, double CorrelatedShare, IReadOnlyList<SetAccuracy> Start, IReadOnlyList<SetAccuracy> End, string? Diverged = null)
{
    /// <summary>The accuracy on <paramref name="set"/> at the end.</summary>
    public SetAccuracy this[string set] => End.First(a => a.Name == set);

    /// <summary>The accuracy on <paramref name="set"/> at step 0.</summary>
    public SetAccuracy AtStart(string set) => Start.First(a => a.Name == set);
}

/// <summary>
/// Single-weight pruning of one model on the compiled capability's loss: the capability's held-out accuracy before, after
/// the one best-scored weight, and after the best K ≤ the grid's maximum (K chosen on the selection split).
/// </summary>
/// <param name="Label">Which model.</param>
/// <param name="LearningRate">The lr of the fine-tune that made the model.</param>
/// <param name="CorrelatedShare">Its C_Tr.</param>
/// <param name="Before">The capability (C_Te = 0, O_PT) before pruning.</param>
/// <param name="AfterOne">The same after zeroing one weight.</param>
/// <param name="Removed">The weight removed first: parameter[index].</param>
/// <param name="Curve">Every K's held-out accuracies.</param>
/// <param name="Plot">The pruning curve's PNG, relative to the report's folder.</param>
internal sealed record TracrPruning(string Label, double LearningRate, double CorrelatedShare, SetAccuracy Before, SetAccuracy AfterOne, string Removed, IReadOnlyList<PruneStep> Curve, string Plot);

/// <summary>A reverse fine-tune of the Counter back to count a, from one fine-tune of the grid (or from the control).</summary>
/// <param name="FromLearningRate">The lr of the fine-tune it starts from (0 for the control).</param>
/// <param name="CorrelatedShare">That fine-tune's C_Tr.</param>
/// <param name="Curve">count a on the held-out set at every evaluation.</param>
/// <param name="Diverged">Why it stopped early, or null.</param>
internal sealed record TracrRevival(double FromLearningRate, double CorrelatedShare, RevivalCurve Curve, string? Diverged = null);

/// <summary>Everything the Tracr report and its verdicts read.</summary>
/// <param name="Config">The grid's settings.</param>
/// <param name="Scan">The starting-point scan of the compiled Counter.</param>
/// <param name="CounterLength">The Counter's N: the scan's choice, or the smallest N scanned when none works.</param>
/// <param name="StartWorks">Whether the scan found an N whose noised start works.</param>
/// <param name="Cells">Every fine-tune of both programs.</param>
/// <param name="Pruning">Single-weight pruning of every Counter fine-tune that did not diverge.</param>
/// <param name="ControlPruning">The same on the control: the Counter's architecture from random weights, fine-tuned like the others (null when that diverged).</param>
/// <param name="Revivals">reFT of every Counter fine-tune that did not diverge.</param>
/// <param name="ControlRevival">The control learning count a from random weights with the reFT recipe.</param>
/// <param name="Seconds">Compute time of this invocation.</param>
internal sealed record TracrPaperResults(TracrPaperConfig Config, IReadOnlyList<StartingPointCell> Scan, int CounterLength, bool StartWorks, IReadOnlyList<TracrCell> Cells,
    IReadOnlyList<TracrPruning> Pruning, TracrPruning? ControlPruning, IReadOnlyList<TracrRevival> Revivals, TracrRevival ControlRevival, double Seconds);
