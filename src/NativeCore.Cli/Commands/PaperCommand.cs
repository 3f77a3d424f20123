using System.CommandLine;
using System.Text.Json;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using Spectre.Console;

namespace NativeCore.Cli.Commands;

/// <summary>
/// <c>nativecore paper</c>: a setting's whole grid (grammar, Tracr with --setting tracr, stories with --setting stories),
/// then report.md, report.html and verdicts.json; with <c>--executor slurm</c>, one Slurm job per stage instead, and
/// <c>--plan</c>, <c>--status</c>, <c>--report-only</c> to see the graph, follow it and write the report.
/// </summary>
internal static class PaperCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "quick (20 minutes on 2 cores) or paper (the full grid)", DefaultValueFactory = _ => "quick" };
        var output = new Option<string>("--out") { Description = "Run folder, the grid's store (default runs/paper-PRESET, or runs/tracr-PRESET, runs/stories-PRESET)" };
        var set = TrainCommands.SetOption();
        var backendOpt = CommonOptions.Backend();
        var setting = CommonOptions.Setting(Setting.Grammar, Setting.Tracr, Setting.Stories);
        var plan = new Option<bool>("--plan") { Description = "Print the grid's stage graph as JSON (key, command, parents, estimated cost, done); run nothing, and write only the recipe that the printed commands read into --out" };
        var status = new Option<bool>("--status") { Description = "Show each stage of the grid in --out as done, queued, running, failed or waiting" };
        var reportOnly = new Option<bool>("--report-only") { Description = "Write the report of the grid in --out from its stages, which must all be done" };
        var executor = new Option<string>("--executor") { Description = "local (run every stage here) or slurm (submit one sbatch job per stage)", DefaultValueFactory = _ => "local" };
        var partition = new Option<string?>("--partition") { Description = "slurm: sbatch --partition" };
        var account = new Option<string?>("--account") { Description = "slurm: sbatch --account" };
        var time = new Option<string?>("--time") { Description = "slurm: sbatch --time of each stage's job (e.g. 4:00:00)" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "slurm: sbatch --cpus-per-task of each stage's job", DefaultValueFactory = _ => 1 };
        var sbatchArgs = new Option<string[]>("--sbatch-arg") { Description = "slurm: a further sbatch flag, passed as given (repeatable), e.g. --sbatch-arg=--qos=short", AllowMultipleArgumentsPerToken = false };
        var jobCommand = new Option<string?>("--job-command") { Description = "slurm: the command a job runs to start nativecore (default: the one that submits)" };
        var cmd = new Command("paper", "Reproduce a setting's findings and write a report with a verdict per claim: the grammar grid (pre-train, fine-tune, prune, probe, attention, reFT); with --setting tracr, Table 3 of the compiled models with single-weight pruning and reFT; with --setting stories, deletion of twists, Table 1's reFT and the twist probes")
            { preset, output, set, backendOpt, setting, plan, status, reportOnly, executor, partition, account, time, cpus, sbatchArgs, jobCommand };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            string name = r.GetValue(preset)!;
            var chosen = CommonOptions.ParseSetting(r.GetValue(setting), Setting.Grammar, Setting.Tracr, Setting.Stories);
            string outDir = r.GetValue(output) ?? Path.Combine("runs", $"{(chosen == Setting.Grammar ? "paper" : chosen.ToString().ToLowerInvariant())}-{name}");
            int modes = (r.GetValue(plan) ? 1 : 0) + (r.GetValue(status) ? 1 : 0) + (r.GetValue(reportOnly) ? 1 : 0);
            if (modes > 1) throw new InvalidConfigException("--plan, --status and --report-only are one each; give one");
            string exec = r.GetValue(executor)!;
            if (exec is not ("local" or "slurm")) throw new InvalidConfigException($"--executor '{exec}' must be local or slurm");
            if (r.GetValue(cpus) < 1) throw new InvalidConfigException($"--cpus-per-task {r.GetValue(cpus)} must be at least 1");

            if (r.GetValue(status)) return Status(outDir);
            if (r.GetValue(reportOnly)) return ReportOnly(outDir);

            var recipe = new GridRecipe(chosen.ToString().ToLowerInvariant(), name, r.GetValue(set) ?? [], r.GetValue(backendOpt)!);
            using var backend = new LazyBackend(recipe.Backend);
            if (r.GetValue(plan))
            {
                // Opening the grid validates the preset and every --set before anything is written. The plan's
                // commands run as printed, so the run folder gets the recipe they read (and nothing else).
                var planned = recipe.Open(outDir, backend.Get);
                OutputFolder.Claim(outDir, OutputFolder.Kinds.Paper);
                recipe.Save(outDir);
                Console.WriteLine(JsonSerializer.Serialize(GridPlan.Of(recipe, planned.Graph, new StageStore(outDir), JobCommand(r.GetValue(jobCommand))), Indented));
                return 0;
            }
            if (exec == "slurm")
            {
                var grid = recipe.Open(outDir, backend.Get);
                OutputFolder.Claim(outDir, OutputFolder.Kinds.Paper);
                recipe.Save(outDir);
                var options = new SlurmOptions(JobCommand(r.GetValue(jobCommand)), r.GetValue(partition), r.GetValue(account), r.GetValue(time), r.GetValue(cpus),
                    Gpu: recipe.Backend == "cuda", r.GetValue(sbatchArgs) ?? []);
                return Submit(grid, outDir, options);
            }
            return RunLocal(recipe, outDir, backend);
        }));
        return cmd;
    }

    private static int RunLocal(GridRecipe recipe, string outDir, LazyBackend backend)
    {
        GridReport report = null!;
        RunWithProgress(observer =>
        {
            var grid = recipe.Open(outDir, backend.Get, observer);
            OutputFolder.Claim(outDir, OutputFolder.Kinds.Paper);
            recipe.Save(outDir);
            double seconds = GridRunner.RunAll(grid.Graph, observer);
            report = grid.Report(seconds);
            return 0;
        });
        return Print(report, outDir);
    }

    private static int Submit(IExperimentGrid grid, string outDir, SlurmOptions options)
    {
        var store = new StageStore(outDir);
        var (stages, reportJob) = SlurmExecutor.Submit(grid.Graph, store, options, ["paper", "--report-only", "--out", outDir]);
        int done = grid.Graph.Stages.Count(store.IsDone);
        foreach (var s in stages) Console.WriteLine($"{s.Job,-10} {s.Stage.Id}{(s.Earlier ? "  (queued or running from an earlier submission)" : "")}");
        if (reportJob is not null)
            Console.WriteLine($"{reportJob,-10} report ({(stages.All(s => s.Earlier) ? "queued from an earlier submission" : "after every stage's job succeeds")})");
        Console.WriteLine($"submitted {stages.Count(s => !s.Earlier)} stage jobs, kept {stages.Count(s => s.Earlier)} from an earlier submission, {done} of {grid.Graph.Stages.Count} stages already done");
        Console.WriteLine($"follow: nativecore paper --status --out {Shell.Quote(outDir)}; logs in {SlurmExecutor.LogDirectory(store)}");
        return 0;
    }

    private static int Status(string outDir)
    {
        var recipe = GridRecipe.Load(outDir);
        var grid = recipe.Open(outDir, () => throw new InvalidOperationException("--status runs no stage"));
        var rows = SlurmExecutor.Status(grid.Graph, new StageStore(outDir));
        foreach (var row in rows) Console.WriteLine($"{row.State,-8} {row.Stage.Id}  {row.Detail}");
        Console.WriteLine(string.Join(", ", rows.GroupBy(x => x.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}")) + $" of {rows.Count} stages");
        return 0;
    }

    private static int ReportOnly(string outDir)
    {
        var recipe = GridRecipe.Load(outDir);
        var grid = recipe.Open(outDir, () => throw new InvalidOperationException("--report-only runs no stage"));
        var store = new StageStore(outDir);
        var missing = grid.Graph.Stages.Where(s => !store.IsDone(s)).Select(s => s.Id).ToList();
        if (missing.Count > 0)
            throw new IncompleteGridException($"{outDir}: {missing.Count} of {grid.Graph.Stages.Count} stages are not done ({string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", …" : "")}); see paper --status --out {outDir}");
        double seconds = grid.Graph.Stages.Sum(s => store.Done(s)!.Seconds);
        return Print(grid.Report(seconds), outDir);
    }

    /// <summary>The command that starts this nativecore: the apphost, or <c>dotnet</c> with the CLI's assembly.</summary>
    private static string JobCommand(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given;
        string process = Environment.ProcessPath ?? "nativecore";
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
            return $"{Shell.Quote(process)} {Shell.Quote(typeof(PaperCommand).Assembly.Location)}";
        return Shell.Quote(process);
    }

    private static int Print(GridReport report, string outDir)
    {
        Console.WriteLine(report.Headline);
        foreach (var v in report.Verdicts) Console.WriteLine($"  {v.Word,-15} {v.Claim}");
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

    /// <summary>Progress as plain lines, every 5% or when the stage changes: for logs and non-interactive terminals.</summary>
    internal sealed class PlainGridProgress : IGridObserver
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

/// <summary>A backend made on first use and disposed with this: planning and submitting need none, and may run where it does not exist.</summary>
internal sealed class LazyBackend(string name) : IDisposable
{
    private IBackend? _backend;

    public IBackend Get() => _backend ??= BackendRegistry.Create(name);

    public void Dispose() => _backend?.Dispose();
}
