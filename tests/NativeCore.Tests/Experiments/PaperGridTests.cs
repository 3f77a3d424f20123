using NativeCore.Backends;
using NativeCore.Experiments;

namespace NativeCore.Tests.Experiments;

public sealed class PaperGridTests : TempDirectoryTest
{

    private sealed class Recorder : IGridObserver
    {
        public long Planned;
        public long Done;
        public List<string> Stages { get; } = [];

        void IGridObserver.Planned(long totalUnits) => Planned = totalUnits;

        void IGridObserver.Advanced(long units, string stage)
        {
            Done += units;
            if (Stages.Count == 0 || Stages[^1] != stage) Stages.Add(stage);
        }
    }

    [Fact]
    public void Smoke_grid_writes_every_report_section_and_a_rerun_reuses_every_stage()
    {
        var config = ConfigLoader.Load("smoke");
        using var backend = BackendRegistry.Create("cpu");
        var first = new Recorder();
        var results = new PaperGrid(config, Root, backend, first).Run();
        var verdicts = PaperReport.Write(Root, results);
        Assert.Equal(first.Planned, first.Done);

        Assert.Equal(5, verdicts.Count);
        Assert.All(verdicts, v => Assert.Contains(v.Verdict, new[] { "reproduced", "not reproduced", "not tested" }));
        Assert.All(verdicts, v => Assert.Matches(@"\d", v.Evidence));
        string md = File.ReadAllText(Path.Combine(Root, "report.md"));
        foreach (string section in new[] { "## Verdicts", "majority-class share", "Table 5", "## Pruning", "## Linear probes", "## Attention maps", "## Reverse fine-tuning", "## Resolved configuration" })
            Assert.Contains(section, md);
        Assert.Equal(config.Grid.Priors.Length * config.Grid.LearningRates.Length * config.Grid.CorrelatedShares.Length, results.Finetunes.Count);
        string html = File.ReadAllText(Path.Combine(Root, "report.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotMatch("<img src=\"(?!data:)", html);

        var second = new Recorder();
        var again = new PaperGrid(config, Root, backend, second).Run();
        Assert.All(second.Stages, s => Assert.EndsWith("(reused)", s));
        Assert.Equal(results.Finetunes.Select(f => f.Result.Last.Sets.Select(x => x.Accuracy)).SelectMany(x => x), again.Finetunes.Select(f => f.Result.Last.Sets.Select(x => x.Accuracy)).SelectMany(x => x));
    }

    [Fact]
    public void Quick_preset_test_sets_are_not_degenerate()
    {
        var config = ConfigLoader.Load("quick");
        foreach (var set in Stages.EvalSets(config))
            Assert.True(set.MajorityShare <= 0.5, $"{set.Name}: majority share {set.MajorityShare:P1} > 50%");
    }
}
