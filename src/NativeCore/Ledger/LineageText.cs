using System.Globalization;
using NativeCore.Training;

namespace NativeCore.Ledger;

/// <summary>How a lineage link reads in words: the <c>lineage</c> command's lines and the graph's node labels.</summary>
internal static class LineageText
{
    /// <summary>The run a link belongs to: a grammar checkpoint's run folder, else the model folder itself.</summary>
    public static string Name(LineageLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return link.Setting == LineageSetting.Grammar ? Checkpoint.RunName(link.Directory)
            : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(link.Directory)));
    }

    /// <summary><c>tracr finetune</c>, with <c>step N/T</c> where the sidecar records steps.</summary>
    public static string StageAndStep(LineageLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        string name = $"{link.Setting.ToString().ToLowerInvariant()} {link.Stage}";
        return link.Step switch
        {
            null => name,
            long step when link.TotalSteps is { } total => string.Create(CultureInfo.InvariantCulture, $"{name}, step {step}/{total}"),
            long step => string.Create(CultureInfo.InvariantCulture, $"{name}, step {step}"),
        };
    }

    /// <summary>What tells links apart at a glance: the program, task or deletion protocol, and the learning rate.</summary>
    public static IReadOnlyList<string> Highlights(LineageLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var parts = new List<string>();
        if (link.Settings.TryGetValue("program", out string? program)) parts.Add(program);
        if (link.Settings.TryGetValue("task", out string? task)) parts.Add(task);
        if (link.Settings.TryGetValue("protocol", out string? protocol)) parts.Add($"protocol {protocol}");
        if (link.Settings.TryGetValue("lr", out string? lr))
            parts.Add(double.TryParse(lr, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? string.Create(CultureInfo.InvariantCulture, $"lr {value:G3}") : $"lr {lr}");
        return parts;
    }

    /// <summary>
    /// One line: setting and stage, step, highlights, the weights' hash, who and where, when, and the software;
    /// what a sidecar does not record is left out rather than shown as blank.
    /// </summary>
    public static string Summary(LineageLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var parts = new List<string> { StageAndStep(link) };
        parts.AddRange(Highlights(link));
        parts.Add($"sha256 {link.Sha256[..Math.Min(12, link.Sha256.Length)]}");
        if (link.User is not null || link.Host is not null) parts.Add($"by {link.User ?? "?"}@{link.Host ?? "?"}");
        if (!string.IsNullOrEmpty(link.StartedUtc)) parts.Add($"{link.StartedUtc} → {link.EndedUtc}");
        else if (!string.IsNullOrEmpty(link.EndedUtc)) parts.Add(link.EndedUtc);
        if (link.Software is not null) parts.Add($"NativeCore {link.Software}");
        return string.Join(", ", parts);
    }

    /// <summary>Every recorded setting as <c>key=value</c>, in the sidecar's order, separated by semicolons.</summary>
    public static string SettingsLine(LineageLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        // Semicolons, because recorded values hold commas of their own ("SGD, momentum 0.9", "C,CC,I").
        return string.Join("; ", link.Settings.Select(kv => $"{kv.Key}={kv.Value}"));
    }
}
