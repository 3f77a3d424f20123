using NativeCore.Analysis;

namespace NativeCore.Verdicts;

/// <summary>Where a rule reads a per-block probe.</summary>
internal static class ProbeBlocks
{
    /// <summary>
    /// The block whose probe fits its own training samples best (earliest on ties), and that probe's held-out accuracy
    /// with its interval. Choosing by training fit keeps the held-out score free of the choice.
    /// </summary>
    public static (int Block, Estimate Accuracy) Read(IReadOnlyList<ProbeResult> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count == 0) throw new ArgumentException("a probe has at least one block", nameof(blocks));
        int best = 0;
        for (int i = 1; i < blocks.Count; i++)
            if (blocks[i].TrainAccuracy > blocks[best].TrainAccuracy) best = i;
        return (best, Estimate.Proportion(blocks[best].TestAccuracy, blocks[best].TestSize));
    }
}
