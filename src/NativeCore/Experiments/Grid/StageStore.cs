using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.IO;
using NativeCore.Training;

namespace NativeCore.Experiments;

/// <summary>
/// A grid's records in its run folder, beside the stages' own folders, on any filesystem that every worker sees (no
/// database): <c>grid/done/ID.json</c> marks a finished stage and the build that made it; <c>grid/attempts/ID/N.json</c>
/// is the N-th attempt at a stage and its lease (<see cref="StageLease"/>); <c>grid/jobs/ID.json</c> lists the
/// scheduler jobs submitted for it.
/// </summary>
internal sealed class StageStore(string runDirectory)
{
    /// <summary>The run folder.</summary>
    public string RunDirectory { get; } = runDirectory;

    /// <summary>The folder of the grid's own records.</summary>
    public string GridDirectory => Path.Combine(RunDirectory, "grid");

    /// <summary>The build stamp that done markers carry: a stage's numbers are only as good as the code that made them.</summary>
    public static string Build => $"{BuildInfo.Version}+{BuildInfo.Commit}";

    private string DoneFile(GridStage s) => Path.Combine(GridDirectory, "done", s.Id + ".json");

    /// <summary>The folder of <paramref name="s"/>'s attempts.</summary>
    public string AttemptsDirectory(GridStage s) => Path.Combine(GridDirectory, "attempts", s.Id);

    /// <summary>The file listing the scheduler jobs of <paramref name="s"/>.</summary>
    public string JobsFile(GridStage s) => Path.Combine(GridDirectory, "jobs", s.Id + ".json");

    /// <summary>
    /// Whether <paramref name="s"/> is done. A stage made by another build is refused with a message naming its folder,
    /// not silently reused.
    /// </summary>
    public bool IsDone(GridStage s)
    {
        var record = Done(s);
        if (record is null) return false;
        if (record.Build != Build)
            throw new InvalidConfigException($"{Path.Combine(RunDirectory, "stages", s.Id)}: this stage was made by {record.Build}, not by this build ({Build}); run paper with a new --out");
        return true;
    }

    /// <summary>The done marker of <paramref name="s"/>, or null.</summary>
    public DoneRecord? Done(GridStage s)
    {
        string file = DoneFile(s);
        if (!File.Exists(file)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), IO.JsonMetadata.Compact.For<DoneRecord>()) ?? throw new InvalidCheckpointException($"{file}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{file}: not a done marker ({e.Message})");
        }
    }

    /// <summary>Marks <paramref name="s"/> done after <paramref name="seconds"/> of compute.</summary>
    public void MarkDone(GridStage s, double seconds, int attempt) =>
        AtomicFile.WriteAllText(DoneFile(s), JsonSerializer.Serialize(new DoneRecord(Build, seconds, attempt, DateTime.UtcNow, Environment.MachineName), IO.JsonMetadata.Compact.For<DoneRecord>()));

    /// <summary>Every attempt at <paramref name="s"/>, oldest first.</summary>
    public IReadOnlyList<StageAttempt> Attempts(GridStage s) => StageLease.Attempts(AttemptsDirectory(s));

    /// <summary>The scheduler jobs submitted for <paramref name="s"/>, oldest first.</summary>
    public IReadOnlyList<string> Jobs(GridStage s) => ReadJobs(JobsFile(s));

    /// <summary>Records that job <paramref name="jobId"/> was submitted for <paramref name="s"/>.</summary>
    public void AddJob(GridStage s, string jobId) => AtomicFile.WriteAllText(JobsFile(s), JsonSerializer.Serialize(Jobs(s).Append(jobId).ToList(), IO.JsonMetadata.Compact.For<List<string>>()));

    private string ReportJobsFile => Path.Combine(GridDirectory, "report-jobs.json");

    /// <summary>The scheduler jobs submitted to write the report, oldest first.</summary>
    public IReadOnlyList<string> ReportJobs() => ReadJobs(ReportJobsFile);

    /// <summary>Records that job <paramref name="jobId"/> was submitted to write the report.</summary>
    public void AddReportJob(string jobId) => AtomicFile.WriteAllText(ReportJobsFile, JsonSerializer.Serialize(ReportJobs().Append(jobId).ToList(), IO.JsonMetadata.Compact.For<List<string>>()));

    private static List<string> ReadJobs(string file)
    {
        if (!File.Exists(file)) return [];
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), IO.JsonMetadata.Compact.For<List<string>>()) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{file}: not a job list ({e.Message})");
        }
    }

}

/// <summary>A finished stage's marker.</summary>
/// <param name="Build">The NativeCore build that made the stage.</param>
/// <param name="Seconds">Wall-clock seconds of the attempt that finished it.</param>
/// <param name="Attempt">The number of that attempt.</param>
/// <param name="Finished">When it finished (UTC).</param>
/// <param name="Host">The machine it ran on.</param>
internal sealed record DoneRecord(
    [property: JsonPropertyName("build")] string Build,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("finished")] DateTime Finished,
    [property: JsonPropertyName("host")] string Host);
