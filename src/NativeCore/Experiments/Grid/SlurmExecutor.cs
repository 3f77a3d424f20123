using System.Globalization;

namespace NativeCore.Experiments;

/// <summary>How <see cref="SlurmExecutor"/> submits: the sbatch options that pass through, and the command a job runs.</summary>
/// <param name="JobCommand">The command that starts nativecore on a compute node (by default, the one that submitted).</param>
/// <param name="Partition">sbatch --partition, or null for the cluster's default.</param>
/// <param name="Account">sbatch --account, or null.</param>
/// <param name="Time">sbatch --time (e.g. 2:00:00), or null for the partition's default.</param>
/// <param name="CpusPerTask">sbatch --cpus-per-task.</param>
/// <param name="Gpu">Ask for one GPU (--gres=gpu:1), as the cuda backend needs.</param>
/// <param name="ExtraFlags">Further sbatch flags, passed as given (e.g. --qos=short, --mem=8G).</param>
internal sealed record SlurmOptions(string JobCommand, string? Partition = null, string? Account = null, string? Time = null, int CpusPerTask = 1, bool Gpu = false,
    IReadOnlyList<string>? ExtraFlags = null);

/// <summary>A stage's job after a submission: the job id, and whether it was an earlier submission's job still queued or running.</summary>
internal sealed record SubmittedStage(GridStage Stage, string Job, bool Earlier);

/// <summary>A stage's state as <c>paper --status</c> shows it: done, queued, running, failed or waiting, with what the store and the scheduler say.</summary>
internal sealed record StageStatus(GridStage Stage, string State, string Detail);

/// <summary>
/// The Slurm executor: one <c>sbatch</c> job per stage that is not done, each depending (<c>afterok</c>) on its parents'
/// jobs, so that Slurm runs the graph in order on any nodes that see the run folder. A re-submission skips done stages
/// and keeps an earlier submission's job that is still queued or running; the stage lease (<see cref="StageLease"/>)
/// keeps two jobs from ever running one stage at once.
/// </summary>
internal static class SlurmExecutor
{
    /// <summary>The name prefix of the grid's jobs.</summary>
    public const string JobPrefix = "nc-";

    /// <summary>The folder of the jobs' logs, <c>grid/slurm/ID-JOB.out</c>.</summary>
    public static string LogDirectory(StageStore store) => Path.Combine(store.GridDirectory, "slurm");

    /// <summary>
    /// Submits every stage of <paramref name="graph"/> that is not done, then a last job that writes the report with
    /// <paramref name="reportArguments"/> once every stage's job succeeded; returns the stages' jobs and the report job.
    /// </summary>
    public static (IReadOnlyList<SubmittedStage> Stages, string? ReportJob) Submit(StageGraph graph, StageStore store, SlurmOptions options, IReadOnlyList<string> reportArguments)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(LogDirectory(store));
        var live = Queue();
        var jobOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var submitted = new List<SubmittedStage>();
        foreach (var stage in graph.Stages)
        {
            if (store.IsDone(stage)) continue;
            var jobs = store.Jobs(stage);
            if (jobs.Count > 0 && live.TryGetValue(jobs[^1], out var job))
            {
                if (!job.NeverRuns)
                {
                    jobOf[stage.Id] = jobs[^1];
                    submitted.Add(new SubmittedStage(stage, jobs[^1], Earlier: true));
                    continue;
                }
                // Our own earlier job, stuck behind a dependency that failed: it can never run, so it is replaced.
                Scheduler.Run("scancel", [jobs[^1]]);
            }
            var after = stage.ParentStages.Where(p => !store.IsDone(p)).Select(p => jobOf[p.Id]).ToList();
            string command = $"{options.JobCommand} stage run {Shell.Quote(stage.Id)} --store {Shell.Quote(graph.RunDirectory)}";
            string id = Sbatch(JobPrefix + stage.Name, Path.Combine(LogDirectory(store), stage.Id + "-%j.out"), after, options, command);
            store.AddJob(stage, id);
            jobOf[stage.Id] = id;
            submitted.Add(new SubmittedStage(stage, id, Earlier: false));
        }
        if (submitted.Count == 0) return (submitted, null);
        // With every stage's job kept from an earlier submission, that submission's report job (still queued) serves.
        var reportJobs = store.ReportJobs();
        if (submitted.All(s => s.Earlier) && reportJobs.Count > 0 && live.TryGetValue(reportJobs[^1], out var queued) && !queued.NeverRuns)
            return (submitted, reportJobs[^1]);
        string report = $"{options.JobCommand} {string.Join(' ', reportArguments.Select(Shell.Quote))}";
        // The report needs no GPU, whatever the stages ran on.
        string reportJob = Sbatch(JobPrefix + "report", Path.Combine(LogDirectory(store), "report-%j.out"), [.. submitted.Select(s => s.Job).Distinct()],
            options with { Gpu = false, CpusPerTask = 1 }, report);
        store.AddReportJob(reportJob);
        return (submitted, reportJob);
    }

    /// <summary>
    /// Each stage's state, from the store's records and, where a stage not yet done has a submitted job and Slurm's
    /// squeue is on PATH, the queue.
    /// </summary>
    public static IReadOnlyList<StageStatus> Status(StageGraph graph, StageStore store)
    {
        // Asked only for a stage with a job, so that a grid run without Slurm needs no cluster, even where squeue is installed.
        var live = new Lazy<Dictionary<string, QueuedJob>>(() => Scheduler.Available("squeue") ? Queue() : []);
        var now = DateTime.UtcNow;
        var result = new List<StageStatus>();
        foreach (var stage in graph.Stages)
        {
            if (store.IsDone(stage))
            {
                var done = store.Done(stage)!;
                result.Add(new StageStatus(stage, "done", string.Create(CultureInfo.InvariantCulture, $"attempt {done.Attempt}, {done.Seconds:F1} s on {done.Host}")));
                continue;
            }
            var attempts = store.Attempts(stage);
            var last = attempts.Count == 0 ? null : attempts[^1];
            if (last is not null && !last.IsOver(now))
            {
                result.Add(new StageStatus(stage, "running", $"attempt {last.Number} on {last.Host}, pid {last.Pid}{(last.Job is null ? "" : $", job {last.Job}")}"));
                continue;
            }
            var jobs = store.Jobs(stage);
            string? jobId = jobs.Count == 0 ? null : jobs[^1];
            if (jobId is not null && live.Value.TryGetValue(jobId, out var job))
            {
                string state = job.NeverRuns ? "failed" : job.State is "PENDING" or "CONFIGURING" or "REQUEUED" or "SUSPENDED" ? "queued" : "running";
                result.Add(new StageStatus(stage, state, $"job {jobId} {job.State}{(job.Reason is "" or "None" ? "" : $" ({job.Reason})")}"));
                continue;
            }
            if (jobId is not null)
            {
                string log = Path.Combine(LogDirectory(store), $"{stage.Id}-{jobId}.out");
                result.Add(new StageStatus(stage, "failed", last is null
                    ? $"job {jobId} ended before the stage started (a parent's job failed, or it was cancelled)"
                    : $"job {jobId} ended without finishing the stage{(last.Outcome is { } o ? $"; attempt {last.Number}: {o}" : "")}; its log: {log}"));
                continue;
            }
            if (last?.Outcome is { } outcome)
            {
                result.Add(new StageStatus(stage, "failed", $"attempt {last.Number}: {outcome}"));
                continue;
            }
            result.Add(new StageStatus(stage, "waiting", last is null ? "not started" : $"attempt {last.Number} was stopped; the next run resumes it"));
        }
        return result;
    }

    /// <summary>A job in Slurm's queue.</summary>
    private sealed record QueuedJob(string State, string Reason)
    {
        /// <summary>Pending behind a dependency that failed: Slurm will never start it.</summary>
        public bool NeverRuns => State == "PENDING" && Reason.Contains("DependencyNeverSatisfied", StringComparison.Ordinal);
    }

    /// <summary>This user's jobs that are queued or running.</summary>
    private static Dictionary<string, QueuedJob> Queue()
    {
        var jobs = new Dictionary<string, QueuedJob>(StringComparer.Ordinal);
        foreach (string line in Scheduler.Run("squeue", ["--me", "--noheader", "--format=%i|%T|%r"]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            if (parts.Length == 3) jobs[parts[0]] = new QueuedJob(parts[1], parts[2]);
        }
        return jobs;
    }

    private static string Sbatch(string name, string output, IReadOnlyList<string> after, SlurmOptions options, string command)
    {
        var args = new List<string> { "--parsable", $"--job-name={name}", $"--output={output}", $"--chdir={Environment.CurrentDirectory}",
            $"--cpus-per-task={options.CpusPerTask.ToString(CultureInfo.InvariantCulture)}" };
        if (after.Count > 0)
        {
            args.Add($"--dependency=afterok:{string.Join(':', after)}");
            // A job whose parent failed is cancelled rather than left pending for ever; a re-submission replaces it.
            args.Add("--kill-on-invalid-dep=yes");
        }
        if (options.Partition is { } p) args.Add($"--partition={p}");
        if (options.Account is { } a) args.Add($"--account={a}");
        if (options.Time is { } t) args.Add($"--time={t}");
        if (options.Gpu) args.Add("--gres=gpu:1");
        args.AddRange(options.ExtraFlags ?? []);
        args.Add($"--wrap=exec {command}");
        string id = Scheduler.Run("sbatch", args).Trim().Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit)) throw new SchedulerException($"sbatch: expected a job id, got '{id}'");
        return id;
    }
}
