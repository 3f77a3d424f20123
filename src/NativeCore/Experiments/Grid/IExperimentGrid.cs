using NativeCore.Verdicts;

namespace NativeCore.Experiments;

/// <summary>
/// A setting's grid (grammar, Tracr, stories) as the executors and the CLI see it: the stage graph, and the report
/// written from the stages' results once every stage is done, whichever executor ran them.
/// </summary>
internal interface IExperimentGrid
{
    /// <summary>The grid's stages.</summary>
    StageGraph Graph { get; }

    /// <summary>
    /// Reads every stage's result and writes report.md, report.html and verdicts.json into the run folder;
    /// <paramref name="seconds"/> is the compute time the report states.
    /// </summary>
    GridReport Report(double seconds);
}

/// <summary>What a written report says in brief: a headline and the verdicts.</summary>
/// <param name="Headline">One line on what ran.</param>
/// <param name="Verdicts">The verdict of every claim.</param>
internal sealed record GridReport(string Headline, IReadOnlyList<ClaimVerdict> Verdicts);
