using System.CommandLine;
using NativeCore.Backends;
using NativeCore.Experiments;
using Spectre.Console;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore paper</c>: the whole grammar-setting grid, then report.md and report.html.</summary>
internal static class PaperCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "quick (20 minutes on 2 cores) or paper (the full grid)", DefaultValueFactory = _ => "quick" };
        var output = new Option<string>("--out") { Description = "Run folder", DefaultValueFactory = _ => Path.Combine("runs", "paper-quick") };
        var set = TrainCommands.SetOption();
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("paper", "Reproduce the grammar-setting findings: pre-train, fine-tune, prune, probe, attention, reFT, and write a report") { preset, output, set, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            string name = r.GetValue(preset)!;
            string outDir = r.GetResult(output) is null && name != "quick" ? Path.Combine("runs", $"paper-{name}") : r.GetValue(output)!;
            var config = ConfigLoader.Load(name, [.. r.GetValue(set) ?? [], $"backend={r.GetValue(backendOpt)}"]);
            using var backend = BackendRegistry.Create(config.Backend);
            var results = RunWithProgress(new PaperGridFactory(config, outDir, backend));
            var verdicts = PaperReport.Write(outDir, results);
            Console.WriteLine($"paper grid finished in {results.Seconds / 60:F1} minutes of compute");
            foreach (var v in verdicts) Console.WriteLine($"  {v.Word,-15} {v.Claim}");
            Console.WriteLine($"report: {Path.Combine(outDir, "report.md")} and report.html");
            return 0;
        }));
        return cmd;
    }

    private sealed record PaperGridFactory(RunConfig Config, string OutDir, IBackend Backend)
    {
        public PaperResults Run(IGridObserver observer) => new PaperGrid(Config, OutDir, Backend, observer).Run();
    }

    private static PaperResults RunWithProgress(PaperGridFactory grid)
    {
        if (!ProgressDisplay.Interactive) return grid.Run(new PlainGridProgress());
        PaperResults results = null!;
        AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("paper grid");
                results = grid.Run(new LiveGridProgress(task));
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
