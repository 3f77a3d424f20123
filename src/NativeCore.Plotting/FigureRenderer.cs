using System.Globalization;
using NativeCore.IO;
using ScottPlot;

namespace NativeCore.Plotting;

/// <summary>The core's figures drawn with ScottPlot 5 (rendered by SkiaSharp with its bundled Linux assets).</summary>
public sealed class FigureRenderer : IFigureRenderer
{
    /// <summary>Makes this the renderer of every PNG the core writes (<see cref="Plots.Renderer"/>).</summary>
    public static void Register() => Plots.Renderer ??= new FigureRenderer();

    /// <inheritdoc/>
    public byte[] Lines(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logX, IReadOnlyList<(string Name, double Y)> horizontalLines)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(horizontalLines);
        var plot = new Plot();
        foreach (var s in series)
        {
            var xs = s.X.Select(x => logX ? Math.Log10(Math.Max(x, 1e-12)) : x).ToArray();
            var line = plot.Add.Scatter(xs, s.Y.ToArray());
            line.LegendText = s.Name;
            line.MarkerSize = 4;
        }
        foreach (var (name, y) in horizontalLines)
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
        return Finish(plot, title, xLabel, yLabel, 800, 500);
    }

    /// <inheritdoc/>
    public byte[] Bars(string title, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
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
        return Finish(plot, title, "", yLabel, 800, 500);
    }

    /// <inheritdoc/>
    public byte[] Heatmaps(string title, IReadOnlyList<(string Name, double[,] Values)> panels, IReadOnlyList<string> rowLabels, IReadOnlyList<string> colLabels, string rowAxis, string colAxis)
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
            // ScottPlot draws a heatmap's first row on top, which is where row 0 belongs.
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
        return Finish(plot, title, colAxis, rowAxis, (int)(size * panels.Count * 1.05), size, legend: false);
    }

    /// <inheritdoc/>
    public byte[] Graph(IReadOnlyList<GraphNode> nodes, IReadOnlyList<(GraphNode From, GraphNode To)> arrows, (double XMin, double XMax, double YMin, double YMax) limits, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(arrows);
        var plot = new Plot();
        foreach (var (from, to) in arrows)
        {
            var arrow = plot.Add.Arrow(new Coordinates(from.X + 1.4, from.Y), new Coordinates(to.X - 1.4, to.Y));
            arrow.ArrowFillColor = Colors.Gray;
        }
        foreach (var n in nodes)
        {
            var text = plot.Add.Text(n.Label, n.X, n.Y);
            text.LabelFontSize = 11;
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelBackgroundColor = Colors.LightYellow;
            text.LabelBorderColor = Colors.Black;
            text.LabelPadding = 4;
        }
        plot.HideGrid();
        plot.Axes.Frameless();
        plot.Axes.SetLimits(limits.XMin, limits.XMax, limits.YMin, limits.YMax);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static byte[] Finish(Plot plot, string title, string xLabel, string yLabel, int width, int height, bool legend = true)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        // ScottPlot renders a blank image when an outside legend has no items (a heatmap has none).
        if (legend) plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
