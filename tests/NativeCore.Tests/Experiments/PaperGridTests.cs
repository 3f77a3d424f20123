using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Verdicts;

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
        var results = new PaperGrid(config, Root, () => backend, first).Run();
        var verdicts = PaperReport.Write(Root, results);
        Assert.Equal(first.Planned, first.Done);

        // The report's verdicts are the rules applied to the grid's own results, and the report prints each one with its rule.
        Assert.Equal(PaperRules.Decide(results).Select(v => (v.Verdict, string.Join("\n", v.Evidence))), verdicts.Select(v => (v.Verdict, string.Join("\n", v.Evidence))));
        string md = File.ReadAllText(Path.Combine(Root, "report.md"));
        foreach (string section in new[] { "## Verdicts", "## How each verdict is decided", "majority-class share", "Table 5", "## Pruning", "## Linear probes", "## Attention maps", "## Reverse fine-tuning", "## Resolved configuration" })
            Assert.Contains(section, md);
        foreach (var v in verdicts) Assert.Contains($"### {v.Claim}: **{v.Word}**", md, StringComparison.Ordinal);
        foreach (var (_, rule) in PaperRules.Describe()) Assert.Contains(rule, md, StringComparison.Ordinal);
        Assert.Contains($"| {nameof(PaperRules.ProbeOverControl)} | {PaperRules.ProbeOverControl.ToString(System.Globalization.CultureInfo.InvariantCulture)} |", md, StringComparison.Ordinal);

        // The grid ran what the rules need: every model probed for count(a) and count(b), every fine-tune and the
        // control pruned, reFT from every prior at every C_Tr, and both baselines.
        var grid = config.Grid;
        int finetunes = grid.Priors.Length * grid.LearningRates.Length * grid.CorrelatedShares.Length;
        Assert.Equal(finetunes, results.Finetunes.Count);
        Assert.Equal(2 * (grid.Priors.Length + finetunes + 1), results.Probes.Count);
        Assert.Single(results.Probes, p => p.Model.Role == ModelRole.Control && p.Target == "count:a");
        Assert.Equal(finetunes + 1, results.Pruning.Count);
        Assert.All(results.Pruning, p => Assert.InRange(p.SelectedK, 1, PaperRules.MaxPruneUnits));
        Assert.Equal(grid.Priors.Length * grid.CorrelatedShares.Length, results.Revival.Count);
        Assert.Equal(["Scr.+FT", "Scr."], results.Baselines.Select(b => b.Name));
        Assert.Equal(grid.ScratchSteps, results.ScratchAtPretrainLr!.Steps[^1]);
        string html = File.ReadAllText(Path.Combine(Root, "report.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotMatch("<img src=\"(?!data:)", html);

        var second = new Recorder();
        var again = new PaperGrid(config, Root, () => backend, second).Run();
        Assert.All(second.Stages, s => Assert.EndsWith("(reused)", s));
        Assert.Equal(results.Finetunes.Select(f => f.Result.Last.Sets.Select(x => x.Accuracy)).SelectMany(x => x), again.Finetunes.Select(f => f.Result.Last.Sets.Select(x => x.Accuracy)).SelectMany(x => x));

        // A stage made by another build is refused, not silently reused.
        string stage = Directory.GetDirectories(Path.Combine(Root, "stages")).Order(StringComparer.Ordinal).First();
        string marker = Path.Combine(Root, "grid", "done", Path.GetFileName(stage) + ".json");
        var record = System.Text.Json.JsonSerializer.Deserialize<DoneRecord>(File.ReadAllText(marker))!;
        File.WriteAllText(marker, System.Text.Json.JsonSerializer.Serialize(record with { Build = "0.0.0+another-build" }));
        var e = Assert.Throws<InvalidConfigException>(() => new PaperGrid(config, Root, () => backend, new Recorder()).Run());
        Assert.Contains(stage, e.Message, StringComparison.Ordinal);
        Assert.Contains("0.0.0+another-build", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quick_preset_test_sets_are_not_degenerate()
    {
        var config = ConfigLoader.Load("quick");
        foreach (var set in Stages.EvalSets(config))
            Assert.True(set.MajorityShare <= 0.5, $"{set.Name}: majority share {set.MajorityShare:P1} > 50%");
    }
}
