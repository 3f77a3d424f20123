using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using NativeCore.Experiments;
using Xunit.Abstractions;

namespace NativeCore.Tests.Experiments;

/// <summary>
/// The smoke grid through <c>--executor slurm</c> on a real one-node Slurm cluster (<c>.ci/slurm up</c> starts one):
/// the report equals a local run's, and a job killed mid-run is finished by a re-submission that runs no stage twice.
/// Skips where no cluster answers; under CI=true it fails instead, since CI starts one.
/// </summary>
public sealed partial class SlurmGridTests(ITestOutputHelper output) : TempDirectoryTest
{
    // Long enough a pre-training that a job can be killed between two of its checkpoints.
    private static readonly string[] Grid = ["paper", "--preset", "smoke", "--set", "pretrain.steps=300"];
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(6);

    private static string? Missing()
    {
        foreach (string tool in new[] { "sbatch", "squeue", "scancel", "scontrol" })
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
                return $"{tool} is not on PATH (run .ci/slurm up)";
        var (exit, text) = Tool("scontrol", "ping");
        return exit == 0 && text.Contains("UP", StringComparison.Ordinal) ? null : $"no Slurm controller answers ({text.Trim()}); run .ci/slurm up";
    }

    private static (int Exit, string Output) Tool(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, text);
    }

    private static HashSet<string> Queued() =>
        Tool("squeue", "--me", "--noheader", "--format=%i").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

    /// <summary>Submits the grid to <paramref name="store"/>; returns the CLI's output.</summary>
    private string Submit(string store, params string[] extra)
    {
        var (exit, stdout, stderr) = CliProcess.Run([.. Grid, "--out", store, "--executor", "slurm", .. extra]);
        output.WriteLine($"$ nativecore paper --preset smoke --set pretrain.steps=300 --out {Path.GetFileName(store)} --executor slurm {string.Join(' ', extra)}\n{stdout}{stderr}");
        Assert.True(exit == 0, stderr);
        return stdout;
    }

    /// <summary>Every job id submitted for the grid in <paramref name="store"/>, with the report's.</summary>
    private static List<string> Jobs(string store, string submitted) =>
        [.. Directory.GetFiles(Path.Combine(store, "grid", "jobs")).SelectMany(f => JsonSerializer.Deserialize<List<string>>(File.ReadAllText(f))!),
            .. ReportJob().Matches(submitted).Select(m => m.Groups[1].Value)];

    private static void WaitForQueue(IEnumerable<string> jobs)
    {
        var clock = Stopwatch.StartNew();
        var ids = jobs.ToHashSet();
        while (Queued().Overlaps(ids))
        {
            Assert.True(clock.Elapsed < Patience, $"Slurm jobs still queued after {Patience}: {string.Join(", ", Queued().Intersect(ids))}");
            Thread.Sleep(1000);
        }
    }

    /// <summary>The report with the lines that say when and how long it ran taken out.</summary>
    private static string Numbers(string store) => Generated().Replace(File.ReadAllText(Path.Combine(store, "report.md")), "");

    private static StageGraph GraphOf(string store) => new PaperGrid(ConfigLoader.Load("smoke", ["pretrain.steps=300"]), store, () => throw new InvalidOperationException()).Graph;

    [SkippableFact]
    public void The_smoke_grid_runs_as_slurm_jobs_with_the_local_numbers_and_a_killed_job_is_finished_by_a_resubmission()
    {
        string? missing = Missing();
        if (missing is not null && Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI must run the Slurm test: {missing}");
        Skip.If(missing is not null, missing);

        string local = Dir("local");
        var (exit, _, err) = CliProcess.Run([.. Grid, "--out", local]);
        Assert.True(exit == 0, err);

        // 1. The whole grid as Slurm jobs: every stage runs once, in its own job, and the report equals the local one.
        string slurm = Dir("slurm");
        string submitted = Submit(slurm);
        var graph = GraphOf(slurm);
        Assert.Contains($"submitted {graph.Stages.Count} stage jobs, kept 0", submitted, StringComparison.Ordinal);
        var jobs = Jobs(slurm, submitted);
        Assert.Equal(graph.Stages.Count + 1, jobs.Count);
        // A second submission while the first's jobs wait keeps them all, the report's too: nothing new is queued.
        string again = Submit(slurm);
        Assert.Contains($"submitted 0 stage jobs, kept {graph.Stages.Count} from an earlier submission", again, StringComparison.Ordinal);
        Assert.Equal(jobs, Jobs(slurm, again));
        WaitForQueue(jobs);
        output.WriteLine(string.Join("\n", jobs.Select(j => Tool("scontrol", "show", "job", j).Output.Split('\n')[0..4].Select(l => l.Trim()).Aggregate((a, b) => $"{a} {b}"))));
        var store = new StageStore(slurm);
        Assert.All(graph.Stages, s => Assert.Equal("done", Assert.Single(store.Attempts(s)).Outcome));
        Assert.All(graph.Stages, s => Assert.Equal(store.Jobs(s)[0], Assert.Single(store.Attempts(s)).Job));
        Assert.Equal(File.ReadAllText(Path.Combine(local, "verdicts.json")), File.ReadAllText(Path.Combine(slurm, "verdicts.json")));
        Assert.Equal(Numbers(local), Numbers(slurm));
        output.WriteLine($"equal: verdicts.json ({new FileInfo(Path.Combine(slurm, "verdicts.json")).Length} bytes) and report.md less its timing line ({Numbers(slurm).Length} characters)");

        // 2. Kill the pre-training's job between checkpoints: its dependants are cancelled, the rest finish. The jobs
        // are submitted held and the pre-training's released alone, so that it cannot finish while the other jobs are
        // still being submitted, before it could be killed.
        string killed = Dir("killed");
        submitted = Submit(killed, "--sbatch-arg=--hold");
        graph = GraphOf(killed);
        store = new StageStore(killed);
        var pretrain = graph.Stages.First(s => s.Name == "pretrain-high");
        string pretrainJob = store.Jobs(pretrain)[0];
        Assert.Equal(0, Tool("scontrol", "release", pretrainJob).Exit);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(graph.Folder(pretrain), "latest")) || store.Attempts(pretrain).Count == 0)
        {
            Assert.True(clock.Elapsed < Patience, "the pre-training's job never reached its first checkpoint");
            Assert.False(store.IsDone(pretrain), "the pre-training finished before it could be killed");
            Thread.Sleep(10);
        }
        Assert.Equal(0, Tool("scancel", pretrainJob).Exit);
        output.WriteLine($"scancel {pretrainJob} ({pretrain.Id}) after {clock.Elapsed.TotalSeconds:F1} s");
        // The rest go on; a dependant Slurm has already cancelled with the pre-training cannot be released, and need not be.
        foreach (string job in Jobs(killed, submitted).Where(j => j != pretrainJob)) Tool("scontrol", "release", job);
        WaitForQueue(Jobs(killed, submitted));
        Assert.False(store.IsDone(pretrain));
        Assert.False(File.Exists(Path.Combine(killed, "report.md")));
        var doneBefore = graph.Stages.Where(store.IsDone).ToList();
        var (_, status, _) = CliProcess.Run("paper", "--status", "--out", killed);
        output.WriteLine("$ nativecore paper --status (after the kill)\n" + status);
        Assert.Matches($"(?m)^failed +{pretrain.Id} +job {pretrainJob} ended without finishing the stage", status);

        // 3. Re-submit: only the stages not done get jobs, the killed one resumes, and no stage runs twice.
        submitted = Submit(killed);
        Assert.Contains($"submitted {graph.Stages.Count - doneBefore.Count} stage jobs, kept 0 from an earlier submission, {doneBefore.Count} of {graph.Stages.Count} stages already done", submitted, StringComparison.Ordinal);
        WaitForQueue(Jobs(killed, submitted));
        foreach (var s in graph.Stages)
        {
            var attempts = store.Attempts(s);
            Assert.Equal("done", attempts[^1].Outcome);
            if (s == pretrain)
            {
                Assert.Equal(2, attempts.Count);
                Assert.Null(attempts[0].Outcome);       // killed: it never ended
                Assert.Equal([pretrainJob, attempts[1].Job!], store.Jobs(s));
                string log = File.ReadAllText(Path.Combine(killed, "grid", "slurm", $"{s.Id}-{attempts[1].Job}.out"));
                output.WriteLine($"the re-submitted job's log:\n{string.Join("\n", log.Split('\n').Where(l => l.StartsWith("stage ", StringComparison.Ordinal)))}");
                Assert.Matches(@"resumed at step [1-9]\d* of 300", log);
            }
            else
            {
                Assert.Single(attempts);
                Assert.Equal(doneBefore.Contains(s) ? 1 : s.ParentStages.Count == 0 ? 1 : 2, store.Jobs(s).Count);
            }
        }
        Assert.Equal(Numbers(local), Numbers(killed));
        Assert.Equal(File.ReadAllText(Path.Combine(local, "verdicts.json")), File.ReadAllText(Path.Combine(killed, "verdicts.json")));

        // 4. A third submission finds nothing to do.
        Assert.Contains($"submitted 0 stage jobs, kept 0 from an earlier submission, {graph.Stages.Count} of {graph.Stages.Count} stages already done", Submit(killed), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^(\d+) +report ", RegexOptions.Multiline)]
    private static partial Regex ReportJob();

    [GeneratedRegex(@"[0-9.]+ minutes of compute.*?Generated [0-9: Z-]+")]
    private static partial Regex Generated();
}
