using System.Globalization;
using System.Text;

namespace NativeCore.IO;

/// <summary>One line of a line plot.</summary>
/// <param name="Name">Legend text and CSV column.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values.</param>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>A box of text in a <see cref="IFigureRenderer.Graph"/>, centred at (X, Y).</summary>
public sealed record GraphNode(string Label, double X, double Y);

/// <summary>
/// Draws figures as PNG bytes. The core draws nothing itself (it depends on no graphics library); NativeCore.Plotting
/// supplies one (ScottPlot), registered as <see cref="Plots.Renderer"/>.
/// </summary>
public interface IFigureRenderer
{
    /// <summary>A line plot; with <paramref name="logX"/> the x axis is log10 with decade ticks.</summary>
    byte[] Lines(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logX, IReadOnlyList<(string Name, double Y)> horizontalLines);

    /// <summary>Grouped bars: one group per category, one bar per series.</summary>
    byte[] Bars(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series);

    /// <summary>Heatmaps side by side, row 0 at the top, labels on both axes.</summary>
    byte[] Heatmaps(string title, IReadOnlyList<(string Name, double[,] Values)> panels, IReadOnlyList<string> rowLabels, IReadOnlyList<string> colLabels, string rowAxis, string colAxis);

    /// <summary>Boxes of text joined by arrows (from, to), in the given limits and pixel size, on a frameless canvas.</summary>
    byte[] Graph(IReadOnlyList<GraphNode> nodes, IReadOnlyList<(GraphNode From, GraphNode To)> arrows, (double XMin, double XMax, double YMin, double YMax) limits, int width, int height);
}

/// <summary>
/// Figures that always write their numbers beside them as CSV, so that no figure exists without its data, and a PNG
/// when a <see cref="Renderer"/> is registered (the command line registers NativeCore.Plotting's). Files are written
/// atomically.
/// </summary>
public static class Plots
{
    /// <summary>The renderer of every PNG; null draws none (the CSVs are still written).</summary>
    public static IFigureRenderer? Renderer { get; set; }

    /// <summary>A line plot of <paramref name="series"/>; with <paramref name="logX"/> the x axis is log10 with decade ticks.</summary>
    public static void Lines(string pngPath, string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logX = false, IReadOnlyList<(string Name, double Y)>? horizontalLines = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        Write(pngPath, Renderer?.Lines(title, xLabel, yLabel, series, logX, horizontalLines ?? []));
        var columns = series.SelectMany(s => new[] { $"{s.Name} x", $"{s.Name} y" });
        int rows = series.Count == 0 ? 0 : series.Max(s => s.X.Count);
        WriteCsv(pngPath, columns, Enumerable.Range(0, rows).Select(r => series.SelectMany(s => r < s.X.Count ? new[] { s.X[r], s.Y[r] } : new[] { double.NaN, double.NaN })));
    }

    /// <summary>Grouped bars: one group per category, one bar per series.</summary>
    public static void Bars(string pngPath, string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        Write(pngPath, Renderer?.Bars(title, yLabel, categories, series));
        WriteCsv(pngPath, ["category", .. series.Select(s => s.Name)],
            categories.Select((c, i) => series.Select(s => s.Values[i]).Prepend(double.NaN)), categories);
    }

    /// <summary>
    /// Heatmaps side by side (one per panel), rows down and columns across, with token labels on both axes.
    /// Each panel is [rows, cols] with row 0 drawn at the top, next to the first row label; the CSV holds every panel's cells.
    /// </summary>
    public static void Heatmaps(string pngPath, string title, IReadOnlyList<(string Name, double[,] Values)> panels, IReadOnlyList<string> rowLabels, IReadOnlyList<string> colLabels, string rowAxis = "queries", string colAxis = "keys")
    {
        ArgumentNullException.ThrowIfNull(panels);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(colLabels);
        int rows = rowLabels.Count, cols = colLabels.Count;
        Write(pngPath, Renderer?.Heatmaps(title, panels, rowLabels, colLabels, rowAxis, colAxis));
        WriteCsv(pngPath, ["panel", rowAxis, colAxis, "value"],
            panels.SelectMany((panel, p) => Enumerable.Range(0, rows).SelectMany(r => Enumerable.Range(0, cols).Select(c => new[] { p, r, c, panel.Values[r, c] }))));
    }

    /// <summary>Writes <paramref name="png"/> to <paramref name="pngPath"/> atomically; nothing when no renderer drew it.</summary>
    public static void Write(string pngPath, byte[]? png)
    {
        if (png is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        AtomicFile.Write(pngPath, s => s.Write(png));
    }

    private static void WriteCsv(string pngPath, IEnumerable<string> header, IEnumerable<IEnumerable<double>> rows, IReadOnlyList<string>? firstColumn = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', header.Select(Quote)));
        int i = 0;
        foreach (var row in rows)
        {
            var cells = row.Select(v => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture)).ToList();
            if (firstColumn is not null) cells[0] = Quote(firstColumn[i]);
            sb.AppendLine(string.Join(',', cells));
            i++;
        }
        AtomicFile.WriteAllText(Path.ChangeExtension(pngPath, ".csv"), sb.ToString());
    }

    private static string Quote(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
