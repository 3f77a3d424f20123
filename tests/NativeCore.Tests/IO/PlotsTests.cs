using NativeCore.Analysis;
using NativeCore.IO;
using SkiaSharp;

namespace NativeCore.Tests.IO;

public sealed class PlotsTests : TempDirectoryTest
{
    [Fact]
    public void Heatmap_row_zero_is_drawn_at_the_top_beside_the_first_label()
    {
        // One bright cell at row 0, column 0 of a 6×6 grid: it must land in the top-left of the drawn panel.
        var values = new double[6, 6];
        values[0, 0] = 1;
        string png = Dir("heat.png");
        Plots.Heatmaps(png, "orientation", [("panel", values)], ["r0", "r1", "r2", "r3", "r4", "r5"], ["c0", "c1", "c2", "c3", "c4", "c5"]);
        // Viridis maps 1 to yellow.
        var (x, y, width, height) = YellowCentre(png);
        Assert.True(y < height / 2.0, $"the row-0 cell is drawn at y ≈ {y:F0} of {height}");
        Assert.True(x < width / 2.0, "the column-0 cell is drawn on the left");
        var csv = File.ReadAllLines(Path.ChangeExtension(png, ".csv"));
        Assert.Equal("0,0,0,1", csv[1]);
    }

    [Fact]
    public void Attention_map_draws_query_zero_on_the_top_row()
    {
        // Query 0 attends only to key 0, as in every causal model.
        var pattern = Enumerable.Range(0, 6).Select(q => Enumerable.Range(0, 6).Select(k => q == 0 && k == 0 ? 1f : 0f).ToArray()).ToArray();
        var map = new AttentionMap(["t0", "t1", "t2", "t3", "t4", "t5"], [[pattern]]);
        string png = AttentionMaps.Write(Dir("maps"), [("model", map)])[0];
        var (x, y, width, height) = YellowCentre(png);
        Assert.True(y < height / 2.0, $"query 0 is drawn at y ≈ {y:F0} of {height}");
        Assert.True(x < width / 2.0, "key 0 is drawn on the left");
    }

    private static (double X, double Y, int Width, int Height) YellowCentre(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var yellow = new List<(int X, int Y)>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var p = bitmap.GetPixel(x, y);
                if (p.Red > 200 && p.Green > 200 && p.Blue < 80) yellow.Add((x, y));
            }
        Assert.NotEmpty(yellow);
        return (yellow.Average(p => p.X), yellow.Average(p => p.Y), bitmap.Width, bitmap.Height);
    }
}
