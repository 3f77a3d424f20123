using System.Text.Json.Nodes;

namespace NativeCore.Tests.Tracr;

/// <summary><c>paper --setting tracr</c> end to end at the smoke preset: the report, its verdicts, and reuse of finished stages.</summary>
[Collection("Console")]
public sealed class TracrPaperTests : TempDirectoryTest
{
    [Fact]
    public void The_tracr_grid_writes_its_report_and_a_second_run_reuses_every_stage_with_the_same_verdicts()
    {
        string dir = Dir("tracr");
        var (exit, output, err) = CliCapture.RunWithOutput("paper", "--setting", "tracr", "--preset", "smoke", "--out", dir);
        Assert.True(exit == 0, err);
        Assert.Contains("tracr grid finished", output, StringComparison.Ordinal);
        foreach (string file in new[] { "report.md", "report.html", "verdicts.json", "starting-point.csv", "plots/reft.png" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        var verdicts = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "verdicts.json")))!.AsArray();
        Assert.Equal(4, verdicts.Count);
        Assert.All(verdicts, v => Assert.Contains((string)v!["verdict"]!, new[] { "reproduced", "not reproduced", "inconclusive", "not tested" }));
        string report = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("Table 3", report, StringComparison.Ordinal);
        Assert.Contains("35.8 / 0.7", report, StringComparison.Ordinal);   // the paper's numbers stand beside ours

        string first = File.ReadAllText(Path.Combine(dir, "verdicts.json"));
        var stages = Directory.GetFiles(Path.Combine(dir, "stages"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList();
        Assert.Contains(stages, s => s.f.EndsWith("model.safetensors", StringComparison.Ordinal));
        (exit, output, err) = CliCapture.RunWithOutput("paper", "--setting", "tracr", "--preset", "smoke", "--out", dir);
        Assert.True(exit == 0, err);
        Assert.Equal(first, File.ReadAllText(Path.Combine(dir, "verdicts.json")));
        Assert.Equal(stages, Directory.GetFiles(Path.Combine(dir, "stages"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList());
    }

    [Fact]
    public void An_unknown_tracr_key_is_refused_by_name()
    {
        var (exit, err) = CliCapture.Run("paper", "--setting", "tracr", "--preset", "smoke", "--set", "stepz=3", "--out", Dir("bad"));
        Assert.Equal(2, exit);
        Assert.Contains("stepz", err, StringComparison.Ordinal);
    }
}
