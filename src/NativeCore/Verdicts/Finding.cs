namespace NativeCore.Verdicts;

/// <summary>The answer to one condition of a rule, once intervals are taken into account.</summary>
internal enum Finding
{
    /// <summary>The interval lies wholly on the side the condition asks for.</summary>
    Yes,

    /// <summary>The interval lies wholly on the other side.</summary>
    No,

    /// <summary>The interval straddles the threshold.</summary>
    Unclear,
}

/// <summary>Three-valued logic over findings: a rule that needs every condition is as weak as its weakest one.</summary>
internal static class Findings
{
    /// <summary>No if any is no; otherwise unclear if any is unclear; otherwise yes. An empty list is yes.</summary>
    public static Finding All(params IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var list = findings.ToList();
        return list.Contains(Finding.No) ? Finding.No : list.Contains(Finding.Unclear) ? Finding.Unclear : Finding.Yes;
    }

    /// <summary>Yes if any is yes; otherwise unclear if any is unclear; otherwise no. An empty list is no.</summary>
    public static Finding Any(params IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var list = findings.ToList();
        return list.Contains(Finding.Yes) ? Finding.Yes : list.Contains(Finding.Unclear) ? Finding.Unclear : Finding.No;
    }

    /// <summary>
    /// A claim tested in several cells: yes when yes outnumbers no and unclear together, no when no outnumbers yes and
    /// unclear together, and unclear otherwise (a split, or too few clear cells).
    /// </summary>
    public static Finding Majority(IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var list = findings.ToList();
        int yes = list.Count(f => f == Finding.Yes), no = list.Count(f => f == Finding.No);
        return yes > list.Count - yes ? Finding.Yes : no > list.Count - no ? Finding.No : Finding.Unclear;
    }

    /// <summary>yes, no or unclear, for evidence lines.</summary>
    public static string Word(this Finding finding) => finding switch
    {
        Finding.Yes => "yes",
        Finding.No => "no",
        _ => "unclear",
    };
}
