namespace NativeCore.Verdicts;

/// <summary>The four outcomes of a claim's rule.</summary>
internal enum Verdict
{
    /// <summary>Every condition of the rule holds clear of its interval.</summary>
    Reproduced,

    /// <summary>A condition fails clear of its interval.</summary>
    NotReproduced,

    /// <summary>An interval straddles a threshold, or tested cells disagree.</summary>
    Inconclusive,

    /// <summary>The grid did not run what the rule needs, or there was nothing to test (for example nothing was lost).</summary>
    NotTested,
}

/// <summary>A verdict on one claim, with the rule that decided it and every number the rule used.</summary>
/// <param name="Claim">The claim, in words.</param>
/// <param name="Verdict">The outcome.</param>
/// <param name="Evidence">One line per cell or condition, each with its numbers and intervals.</param>
internal sealed record ClaimVerdict(string Claim, Verdict Verdict, IReadOnlyList<string> Evidence)
{
    /// <summary>The verdict as the report prints it.</summary>
    public string Word => Verdicts.Word(Verdict);
}

/// <summary>Turns findings into verdicts.</summary>
internal static class Verdicts
{
    /// <summary>reproduced, not reproduced, inconclusive or not tested.</summary>
    public static string Word(Verdict verdict) => verdict switch
    {
        Verdict.Reproduced => "reproduced",
        Verdict.NotReproduced => "not reproduced",
        Verdict.Inconclusive => "inconclusive",
        _ => "not tested",
    };

    /// <summary>
    /// A claim's verdict from the findings of its tested cells, combined by <paramref name="combine"/>, with a closing
    /// line that counts them; not tested, with <paramref name="whyNotTested"/>, when no cell was tested.
    /// </summary>
    public static ClaimVerdict Conclude(string claim, List<Finding> findings, List<string> lines, Func<List<Finding>, Finding> combine, string whyNotTested)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(combine);
        if (findings.Count == 0) return new ClaimVerdict(claim, Verdict.NotTested, [.. lines, whyNotTested]);
        var m = combine(findings);
        lines.Add($"{findings.Count(f => f == Finding.Yes)} of {findings.Count} tested pass, {findings.Count(f => f == Finding.No)} fail, {findings.Count(f => f == Finding.Unclear)} unclear ⇒ {m.Word()}");
        return new ClaimVerdict(claim, From(m), lines);
    }

    /// <summary>The verdict a finding gives, or not tested when the rule had nothing to test.</summary>
    public static Verdict From(Finding? finding) => finding switch
    {
        null => Verdict.NotTested,
        Finding.Yes => Verdict.Reproduced,
        Finding.No => Verdict.NotReproduced,
        _ => Verdict.Inconclusive,
    };
}
