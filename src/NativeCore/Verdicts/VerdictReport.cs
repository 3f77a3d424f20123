using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.IO;

namespace NativeCore.Verdicts;

/// <summary>
/// The parts every report with verdicts shares: the verdict table with each claim's evidence, the rules and thresholds
/// that decided them (generated from the rules' constants), and the three files (report.md, a self-contained
/// report.html, verdicts.json).
/// </summary>
internal static class VerdictReport
{

    /// <summary>Adds the "Verdicts" section: a table of claims and verdicts, then each claim's evidence.</summary>
    public static ReportDocument AddVerdicts(this ReportDocument doc, IReadOnlyList<ClaimVerdict> verdicts, string claimHeader = "claim")
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(verdicts);
        doc.H(2, "Verdicts")
            .P("Each verdict comes from a rule fixed before the data (next section). Accuracies are shown as percent with their 95% Wilson interval in brackets; "
                + "differences carry the combined interval. **inconclusive** means an interval straddles a threshold or the tested cells split; **not tested** means the grid did not run what the rule needs.");
        doc.Table([claimHeader, "verdict"], verdicts.Select(v => (IReadOnlyList<string>)[v.Claim, $"**{v.Word}**"]));
        foreach (var v in verdicts) doc.H(3, $"{v.Claim}: **{v.Word}**").List(v.Evidence);
        return doc;
    }

    /// <summary>Adds "How each verdict is decided": each claim's rule in words and every threshold, from the class named <paramref name="rulesClass"/>.</summary>
    public static ReportDocument AddRules(this ReportDocument doc, string rulesClass, IReadOnlyList<(string Claim, string Rule)> rules, IReadOnlyList<(string Name, double Value)> thresholds)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(thresholds);
        doc.H(2, "How each verdict is decided")
            .P($"These rules and thresholds live in one place in the code (`{rulesClass}`), and this section is generated from the same constants.");
        doc.Table(["claim", "rule"], rules.Select(d => (IReadOnlyList<string>)[d.Claim, d.Rule]));
        doc.Table(["threshold", "value"], thresholds.Select(t => (IReadOnlyList<string>)[t.Name, t.Value.ToString(CultureInfo.InvariantCulture)]));
        return doc;
    }

    /// <summary>Writes verdicts.json, report.md and report.html (images embedded from <paramref name="directory"/>) atomically.</summary>
    public static void Save(string directory, ReportDocument doc, IReadOnlyList<ClaimVerdict> verdicts, string title)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(verdicts);
        AtomicFile.WriteAllText(Path.Combine(directory, "verdicts.json"), JsonSerializer.Serialize(verdicts.Select(v => new VerdictJson(v.Claim, v.Word, v.Evidence)).ToList(), JsonMetadata.Indented.For<List<VerdictJson>>()));
        AtomicFile.WriteAllText(Path.Combine(directory, "report.md"), doc.ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(directory, "report.html"), doc.ToHtml(title, directory));
    }
}

/// <summary>One entry of verdicts.json.</summary>
internal sealed record VerdictJson(
    [property: JsonPropertyName("claim")] string Claim,
    [property: JsonPropertyName("verdict")] string Verdict,
    [property: JsonPropertyName("evidence")] IReadOnlyList<string> Evidence);
