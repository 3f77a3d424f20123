using System.Globalization;
using System.Text;
using ScottPlot;

namespace NativeCore.IO;

/// <summary>One line of a line plot.</summary>
/// <param name="Name">Legend text and CSV column.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values.</param>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// PNG plots (ScottPlot 5, rendered by SkiaSharp with its bundled Linux assets) that always write their numbers beside
/// them as CSV, so that no figure exists without its data. Files are written atomically.
/// </summary>
public static class Plots
{
    /// <summary>A line plot of <paramref name="series"/>; with <paramref name="logX"/> the x axis is log10 with decade ticks.</summary>
    public static void Lines(string pngPath, string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logX = false, IReadOnlyList<(string Name, double Y)>? horizontalLines = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        foreach (var s in series)
        {
            var xs = s.X.Select(x => logX ? Math.Log10(Math.Max(x, 1e-12)) : x).ToArray();
            var line = plot.Add.Scatter(xs, s.Y.ToArray());
            line.LegendText = s.Name;
            line.MarkerSize = 4;
        }
        foreach (var (name, y) in horizontalLines ?? [])
        {
            var h = plot.Add.HorizontalLine(y);
            h.LegendText = name;
            h.LinePattern = LinePattern.Dashed;
        }
        if (logX)
        {
            double min = Math.Floor(series.SelectMany(s => s.X).Where(x => x > 0).DefaultIfEmpty(1).Min() is var lo ? Math.Log10(lo) : 0);
            double max = Math.Ceiling(Math.Log10(series.SelectMany(s => s.X).DefaultIfEmpty(10).Max()));
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (double d = min; d <= max; d++) ticks.AddMajor(d, Math.Pow(10, d).ToString("G", CultureInfo.InvariantCulture));
            plot.Axes.Bottom.TickGenerator = ticks;
        }
        Finish(plot, title, xLabel, yLabel, pngPath, 800, 500);
        var columns = series.SelectMany(s => new[] { $"{s.Name} x", $"{s.Name} y" });
        int rows = series.Count == 0 ? 0 : series.Max(s => s.X.Count);
        WriteCsv(pngPath, columns, Enumerable.Range(0, rows).Select(r => series.SelectMany(s => r < s.X.Count ? new[] { s.X[r], s.Y[r] } : new[] { double.NaN, double.NaN })));
    }

    /// <summary>Grouped bars: one group per category, one bar per series.</summary>
    public static void Bars(string pngPath, string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / Math.Max(1, series.Count);
        for (int s = 0; s < series.Count; s++)
        {
            var bars = series[s].Values.Select((v, i) => new Bar { Position = i + (s - (series.Count - 1) / 2.0) * width, Value = v, Size = width * 0.95, FillColor = palette.GetColor(s) }).ToList();
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = palette.GetColor(s) });
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < categories.Count; i++) ticks.AddMajor(i, categories[i]);
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Margins(bottom: 0);
        Finish(plot, title, "", yLabel, pngPath, 800, 500);
        WriteCsv(pngPath, ["category", .. series.Select(s => s.Name)],
            categories.Select((c, i) => series.Select(s => s.Values[i]).Prepend(double.NaN)), categories);
    }

    /// <summary>
    /// Heatmaps side by side (one per panel), rows down and columns across, with token labels on both axes.
    /// Each panel is [rows, cols] with row 0 drawn at the top (ScottPlot draws a heatmap's first row on top), next to
    /// the first row label; the CSV holds every panel's cells.
    /// </summary>
    public static void Heatmaps(string pngPath, string title, IReadOnlyList<(string Name, double[,] Values)> panels, IReadOnlyList<string> rowLabels, IReadOnlyList<string> colLabels, string rowAxis = "queries", string colAxis = "keys")
    {
        ArgumentNullException.ThrowIfNull(panels);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(colLabels);
        int rows = rowLabels.Count, cols = colLabels.Count;
        double gap = Math.Max(2, cols / 8.0);
        var plot = new Plot();
        var xTicks = new ScottPlot.TickGenerators.NumericManual();
        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int p = 0; p < panels.Count; p++)
        {
            double x0 = p * (cols + gap);
            var hm = plot.Add.Heatmap(panels[p].Values);
            hm.Colormap = new ScottPlot.Colormaps.Viridis();
            hm.Extent = new CoordinateRect(x0, x0 + cols, 0, rows);
            for (int c = 0; c < cols; c++) xTicks.AddMajor(x0 + c + 0.5, colLabels[c]);
            var label = plot.Add.Text(panels[p].Name, x0 + cols / 2.0, rows + 0.5);
            label.LabelFontSize = 14;
            label.LabelAlignment = Alignment.LowerCenter;
        }
        // Queries run down the page: row 0 at the top.
        for (int r = 0; r < rows; r++) yTicks.AddMajor(rows - r - 0.5, rowLabels[r]);
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.TickLabelStyle.FontSize = cols > 40 ? 7 : 10;
        plot.Axes.Left.TickLabelStyle.FontSize = rows > 40 ? 7 : 10;
        plot.Axes.SetLimits(-0.5, panels.Count * (cols + gap) - gap + 0.5, -0.5, rows + 2);
        int size = Math.Clamp(14 * Math.Max(rows, cols), 500, 1400);
        Finish(plot, title, colAxis, rowAxis, pngPath, (int)(size * panels.Count * 1.05), size, legend: false);
        WriteCsv(pngPath, ["panel", rowAxis, colAxis, "value"],
            panels.SelectMany((panel, p) => Enumerable.Range(0, rows).SelectMany(r => Enumerable.Range(0, cols).Select(c => new[] { p, r, c, panel.Values[r, c] }))));
    }

    private static void Finish(Plot plot, string title, string xLabel, string yLabel, string pngPath, int width, int height, bool legend = true)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        // ScottPlot renders a blank image when an outside legend has no items (a heatmap has none).
        if (legend) plot.ShowLegend(Edge.Right);
        string dir = Path.GetDirectoryName(Path.GetFullPath(pngPath))!;
        Directory.CreateDirectory(dir);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
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
