using System.Text.Json.Nodes;

namespace NativeCore.Tests.Stories;

/// <summary><c>paper --setting stories</c> end to end at the smoke preset: the report, its verdicts, Table 1, and reuse of finished stages with their scores.</summary>
[Collection("Console")]
public sealed class StoriesPaperTests : TempDirectoryTest
{
    [Fact]
    public void The_stories_grid_writes_its_report_and_a_second_run_reuses_every_stage_with_the_same_verdicts()
    {
        string dir = Dir("stories");
        var (exit, output, err) = CliCapture.RunWithOutput("paper", "--setting", "stories", "--preset", "smoke", "--out", dir);
        Assert.True(exit == 0, err);
        Assert.Contains("stories grid finished", output, StringComparison.Ordinal);
        foreach (string file in new[] { "report.md", "report.html", "verdicts.json", "plots/reft-twist.png" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        var verdicts = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "verdicts.json")))!.AsArray();
        Assert.Equal(3, verdicts.Count);
        string report = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("Table 1", report, StringComparison.Ordinal);
        Assert.Contains("deleted by f+mm", report, StringComparison.Ordinal);
        Assert.Contains("Every feature probe of control, by layer", report, StringComparison.Ordinal);
        // Two pre-trainings, three deletions and four scored reFT runs, then a score and a probe stage for each of the five models.
        var stages = Directory.GetDirectories(Path.Combine(dir, "stages")).Where(d => File.Exists(Path.Combine(d, "model.safetensors"))).ToList();
        Assert.Equal(9, stages.Count);
        Assert.Equal(4, stages.Count(d => Path.GetFileName(d).StartsWith("reft-", StringComparison.Ordinal) && File.Exists(Path.Combine(d, "result.json"))));
        Assert.Equal(19, Directory.GetDirectories(Path.Combine(dir, "stages")).Length);

        string first = File.ReadAllText(Path.Combine(dir, "verdicts.json"));
        var written = stages.Select(d => File.GetLastWriteTimeUtc(Path.Combine(d, "model.safetensors"))).ToList();
        (exit, _, err) = CliCapture.RunWithOutput("paper", "--setting", "stories", "--preset", "smoke", "--out", dir);
        Assert.True(exit == 0, err);
        Assert.Equal(first, File.ReadAllText(Path.Combine(dir, "verdicts.json")));
        Assert.Equal(written, stages.Select(d => File.GetLastWriteTimeUtc(Path.Combine(d, "model.safetensors"))).ToList());
    }

    [Fact]
    public void Score_steps_beyond_the_reft_run_are_refused_by_name()
    {
        var (exit, err) = CliCapture.Run("paper", "--setting", "stories", "--preset", "smoke", "--set", "score_at=0,2,99", "--out", Dir("bad"));
        Assert.Equal(2, exit);
        Assert.Contains("score_at", err, StringComparison.Ordinal);
    }
}
