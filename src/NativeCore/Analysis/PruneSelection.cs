using NativeCore.Tasks;
using NativeCore.Training;

namespace NativeCore.Analysis;

/// <summary>What <see cref="PruneSelection.Run"/> found.</summary>
/// <param name="K">The number of units chosen on the selection split.</param>
/// <param name="Curve">Accuracy on the selection split (capability, then the other operand) for K = 0…curve length.</param>
/// <param name="CapabilityBefore">The capability on the held-out split, unpruned.</param>
/// <param name="CapabilityAfter">The capability on the held-out split with K units zeroed.</param>
/// <param name="OtherBefore">The same task asked with the other operand, held-out split, unpruned.</param>
/// <param name="OtherAfter">The same, with K units zeroed.</param>
/// <param name="OtherCorrelatedBefore">The other operand on correlated windows (C_Te = 1) of the held-out split, unpruned.</param>
/// <param name="OtherCorrelatedAfter">The same, with K units zeroed.</param>
internal sealed record PruneSelectionResult(int K, IReadOnlyList<PruneStep> Curve, SetAccuracy CapabilityBefore, SetAccuracy CapabilityAfter, SetAccuracy OtherBefore, SetAccuracy OtherAfter,
    SetAccuracy OtherCorrelatedBefore, SetAccuracy OtherCorrelatedAfter);

/// <summary>
/// Pruning as a measurement: K is chosen on a selection split, and the accuracies that judge it are read on a separate
/// held-out split, so the choice of K cannot flatter its own score. Units are neurons scored by gradient × weight on
/// the capability's loss (spec §8). The paper grid and <c>audit</c> both prune through here.
/// </summary>
internal static class PruneSelection
{
    /// <summary>The seed of the batch whose loss scores the units.</summary>
    public const ulong ScoreSeed = 4242;

    /// <summary>Offsets from the model's evaluation seed that give the two splits their own windows.</summary>
    private const ulong SelectionSeedOffset = 0x5E1EC7, HeldOutSeedOffset = 0x4E1D0;

    /// <summary>
    /// Scores units on <paramref name="capability"/> (count a by default), evaluates the selection split for K up to
    /// <paramref name="curveK"/>, picks the K ≤ <paramref name="maxK"/> with the best capability accuracy there (smallest
    /// on ties), and reads the held-out split at K = 0 and at that K: the capability on clean windows, the other
    /// operand on clean and on correlated windows.
    /// </summary>
    public static PruneSelectionResult Run(LoadedModel m, int curveK, int maxK, int selectionSize, int heldOutSize, Capability? capability = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxK, 1);
        var cap = capability ?? new Capability(TaskKind.C, 0);
        int other = cap.Operand == 0 ? 1 : 0;
        var data = m.Config.Data;
        ulong seed = m.Config.Eval.Seed;
        EvalSet Set(string split, int operand, int size, ulong s, bool correlated = false) =>
            new($"{Evaluator.SetName(correlated, operand)} {split}", TestSets.Build(data, cap.Task, correlated, operand, size, s));
        EvalSet[] selection = [Set("selection", cap.Operand, selectionSize, seed + SelectionSeedOffset), Set("selection", other, selectionSize, seed + SelectionSeedOffset)];
        EvalSet[] heldOut = [Set("held-out", cap.Operand, heldOutSize, seed + HeldOutSeedOffset), Set("held-out", other, heldOutSize, seed + HeldOutSeedOffset),
            Set("held-out", other, heldOutSize, seed + HeldOutSeedOffset, correlated: true)];
        int batch = m.Config.Eval.BatchSize;

        var scores = Pruning.Score(m.Model, data, cap, PruneUnit.Neurons, 256, ScoreSeed);
        var curve = Pruning.Curve(m.Model, scores, PruneUnit.Neurons, Math.Max(curveK, maxK), () => Evaluator.Evaluate(m.Model, data, selection, batch));
        var chosen = curve.Where(s => s.K >= 1 && s.K <= maxK).OrderByDescending(s => s.Accuracies[0].Accuracy).ThenBy(s => s.K).First();
        var before = Evaluator.Evaluate(m.Model, data, heldOut, batch);
        var after = Pruning.At(m.Model, scores, PruneUnit.Neurons, chosen.K, () => Evaluator.Evaluate(m.Model, data, heldOut, batch));
        return new PruneSelectionResult(chosen.K, curve, before[0], after[0], before[1], after[1], before[2], after[2]);
    }
}
