using System.CommandLine;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Stories;
using NativeCore.Tracr;
using Spectre.Console;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore paper</c>: a setting's whole grid (grammar, or Tracr with --setting tracr), then report.md, report.html and verdicts.json.</summary>
internal static class PaperCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "quick (20 minutes on 2 cores) or paper (the full grid)", DefaultValueFactory = _ => "quick" };
        var output = new Option<string>("--out") { Description = "Run folder (default runs/paper-PRESET, or runs/tracr-PRESET, runs/stories-PRESET)" };
        var set = TrainCommands.SetOption();
        var backendOpt = CommonOptions.Backend();
        var setting = CommonOptions.Setting(Setting.Grammar, Setting.Tracr, Setting.Stories);
        var cmd = new Command("paper", "Reproduce a setting's findings and write a report with a verdict per claim: the grammar grid (pre-train, fine-tune, prune, probe, attention, reFT); with --setting tracr, Table 3 of the compiled models with single-weight pruning and reFT; with --setting stories, deletion of twists, Table 1's reFT and the twist probes")
            { preset, output, set, backendOpt, setting };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            string name = r.GetValue(preset)!;
            var chosen = CommonOptions.ParseSetting(r.GetValue(setting), Setting.Grammar, Setting.Tracr, Setting.Stories);
            string outDir = r.GetValue(output) ?? Path.Combine("runs", $"{(chosen == Setting.Grammar ? "paper" : chosen.ToString().ToLowerInvariant())}-{name}");
            if (chosen == Setting.Tracr) return RunTracr(name, outDir, r.GetValue(set) ?? [], r.GetValue(backendOpt)!);
            if (chosen == Setting.Stories) return RunStories(name, outDir, r.GetValue(set) ?? [], r.GetValue(backendOpt)!);
            var config = ConfigLoader.Load(name, [.. r.GetValue(set) ?? [], $"backend={r.GetValue(backendOpt)}"]);
            using var backend = BackendRegistry.Create(config.Backend);
            var results = RunWithProgress(observer => new PaperGrid(config, outDir, backend, observer).Run());
            return Print($"paper grid finished in {results.Seconds / 60:F1} minutes of compute", PaperReport.Write(outDir, results), outDir);
        }));
        return cmd;
    }

    private static int RunTracr(string preset, string outDir, IReadOnlyList<string> overrides, string backendName)
    {
        var config = TracrPaperConfig.Named(preset).WithOverrides(overrides);
        using var backend = BackendRegistry.Create(backendName);
        var results = RunWithProgress(observer => new TracrPaperGrid(config, outDir, backend, observer).Run());
        return Print($"tracr grid finished in {results.Seconds / 60:F1} minutes of compute; the Counter ran at N = {results.CounterLength}", TracrPaperReport.Write(outDir, results), outDir);
    }

    private static int RunStories(string preset, string outDir, IReadOnlyList<string> overrides, string backendName)
    {
        var config = StoriesPaperConfig.Named(preset).WithOverrides(overrides);
        using var backend = BackendRegistry.Create(backendName);
        var (results, seconds) = RunWithProgress(observer => new StoriesPaperGrid(config, outDir, backend, observer).Run());
        return Print($"stories grid finished in {seconds / 60:F1} minutes of compute", StoriesPaperReport.Write(outDir, config, results, seconds), outDir);
    }

    private static int Print(string headline, IReadOnlyList<Verdicts.ClaimVerdict> verdicts, string outDir)
    {
        Console.WriteLine(headline);
        foreach (var v in verdicts) Console.WriteLine($"  {v.Word,-15} {v.Claim}");
        Console.WriteLine($"report: {Path.Combine(outDir, "report.md")} and report.html");
        return 0;
    }

    private static T RunWithProgress<T>(Func<IGridObserver, T> run)
    {
        if (!ProgressDisplay.Interactive) return run(new PlainGridProgress());
        T results = default!;
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("paper grid");
                results = run(new LiveGridProgress(task));
            });
        return results;
    }

    private sealed class LiveGridProgress(ProgressTask task) : IGridObserver
    {
        public void Planned(long totalUnits) => task.MaxValue = totalUnits;

        public void Advanced(long units, string stage)
        {
            task.Increment(units);
            task.Description = Markup.Escape($"paper grid: {stage}");
        }
    }

    private sealed class PlainGridProgress : IGridObserver
    {
        private long _total, _done, _lastPrinted = -1;
        private string _stage = "";
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        public void Planned(long totalUnits) => _total = Math.Max(1, totalUnits);

        public void Advanced(long units, string stage)
        {
            _done += units;
            long percent = 100 * _done / _total;
            if (stage == _stage && percent / 5 == _lastPrinted) return;
            _stage = stage;
            _lastPrinted = percent / 5;
            double eta = _done == 0 ? 0 : _clock.Elapsed.TotalSeconds * (_total - _done) / _done;
            Console.WriteLine($"[{percent,3}%] {stage}  elapsed {_clock.Elapsed:mm\\:ss}, ETA {TimeSpan.FromSeconds(eta):mm\\:ss}");
        }
    }
}
