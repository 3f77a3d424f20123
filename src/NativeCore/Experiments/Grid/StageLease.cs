using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.IO;

namespace NativeCore.Experiments;

/// <summary>One attempt at a stage, as its file <c>grid/attempts/ID/N.json</c> records it.</summary>
/// <param name="Number">1 for the first attempt, then 2, 3, ….</param>
/// <param name="Host">The machine the attempt runs on.</param>
/// <param name="Pid">Its process id there.</param>
/// <param name="Job">The scheduler's job id (SLURM_JOB_ID), or null outside a job.</param>
/// <param name="Started">When it began (UTC).</param>
/// <param name="Expires">When its lease runs out unless renewed (UTC).</param>
/// <param name="Outcome">"done" or "failed: …" once it ended; null while it runs, or when it was killed.</param>
internal sealed record StageAttempt(
    [property: JsonPropertyName("attempt")] int Number,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("job")] string? Job,
    [property: JsonPropertyName("started")] DateTime Started,
    [property: JsonPropertyName("expires")] DateTime Expires,
    [property: JsonPropertyName("outcome")] string? Outcome)
{
    /// <summary>
    /// Whether the attempt can no longer be running: it ended, its lease expired, or it ran on this machine and its
    /// process is gone (so a killed attempt is taken over at once here, and after its lease elsewhere).
    /// </summary>
    public bool IsOver(DateTime now)
    {
        if (Outcome is not null || Expires < now) return true;
        if (Host != Environment.MachineName) return false;
        if (Pid == Environment.ProcessId) return false;
        try
        {
            using var p = Process.GetProcessById(Pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}

/// <summary>
/// The lock that keeps two workers from running one stage at once, with a lease so that a killed worker's lock is
/// taken over. Attempt N+1 is taken by creating <c>N+1.json</c> (a create that fails when the file exists), and only
/// when attempt N is over; the holder renews its lease while it runs and gives it up when a later attempt exists.
/// </summary>
internal sealed class StageLease : IDisposable
{
    /// <summary>How long a lease lasts without renewal; the holder renews it every third of that.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(120);

    private readonly string _directory;
    private readonly Timer _renewal;
    private readonly object _gate = new();
    private StageAttempt _attempt;
    private bool _ended;

    private StageLease(string directory, StageAttempt attempt)
    {
        _directory = directory;
        _attempt = attempt;
        _renewal = new Timer(_ => Renew(), null, Length / 3, Length / 3);
    }

    /// <summary>The attempt this lease holds.</summary>
    public StageAttempt Attempt => _attempt;

    /// <summary>True once a later attempt exists: this one lost its lease and must not mark the stage done.</summary>
    public bool Lost => Directory.EnumerateFiles(_directory, "*.json").Select(Number).Any(n => n > _attempt.Number);

    /// <summary>Every attempt recorded in <paramref name="directory"/>, oldest first.</summary>
    public static IReadOnlyList<StageAttempt> Attempts(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        return Directory.EnumerateFiles(directory, "*.json").Select(f => (File: f, N: Number(f))).Where(x => x.N > 0).OrderBy(x => x.N)
            .Select(x => Read(x.File) ?? new StageAttempt(x.N, "", 0, null, DateTime.MinValue, DateTime.MaxValue, null)).ToList();
    }

    /// <summary>
    /// Takes the next attempt at the stage whose attempts live in <paramref name="directory"/>, or returns null with the
    /// attempt that holds it now.
    /// </summary>
    public static StageLease? TryAcquire(string directory, out StageAttempt? holder)
    {
        Directory.CreateDirectory(directory);
        while (true)
        {
            var attempts = Attempts(directory);
            var latest = attempts.Count == 0 ? null : attempts[^1];
            var now = DateTime.UtcNow;
            if (latest is not null && !latest.IsOver(now))
            {
                holder = latest;
                return null;
            }
            int next = (latest?.Number ?? 0) + 1;
            string? job = Environment.GetEnvironmentVariable("SLURM_JOB_ID");
            var attempt = new StageAttempt(next, Environment.MachineName, Environment.ProcessId, string.IsNullOrEmpty(job) ? null : job, now, now + Length, null);
            string temp = Path.Combine(directory, $".{next}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(temp, JsonSerializer.Serialize(attempt, IO.JsonMetadata.Compact.For<StageAttempt>()));
            try
            {
                // A move that never overwrites: of two workers racing for attempt N, exactly one creates N.json.
                File.Move(temp, FileOf(directory, next), overwrite: false);
                holder = null;
                return new StageLease(directory, attempt);
            }
            catch (IOException) when (File.Exists(FileOf(directory, next)))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Ends the attempt with <paramref name="outcome"/> ("done" or "failed: …").</summary>
    public void End(string outcome)
    {
        lock (_gate)
        {
            if (_ended) return;
            _ended = true;
            _renewal.Dispose();
            _attempt = _attempt with { Outcome = outcome };
            AtomicFile.WriteAllText(FileOf(_directory, _attempt.Number), JsonSerializer.Serialize(_attempt, IO.JsonMetadata.Compact.For<StageAttempt>()));
        }
    }

    private void Renew()
    {
        lock (_gate)
        {
            if (_ended || Lost) return;
            _attempt = _attempt with { Expires = DateTime.UtcNow + Length };
            AtomicFile.WriteAllText(FileOf(_directory, _attempt.Number), JsonSerializer.Serialize(_attempt, IO.JsonMetadata.Compact.For<StageAttempt>()));
        }
    }

    /// <summary>Ends the attempt as failed unless it already ended.</summary>
    public void Dispose() => End("failed: the worker stopped before the stage finished");

    private static string FileOf(string directory, int n) => Path.Combine(directory, n.ToString(CultureInfo.InvariantCulture) + ".json");

    private static int Number(string file) => int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;

    private static StageAttempt? Read(string file)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(file), IO.JsonMetadata.Compact.For<StageAttempt>());
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }
}
