using System.Text.Json;
using System.Text.Json.Nodes;

namespace NativeCore.Training;

/// <summary>
/// metrics.jsonl: one JSON object per line, <c>{"kind":"step",…}</c> per step and <c>{"kind":"eval",…}</c> per
/// evaluation. Lines are flushed as written; on resume, lines past the checkpoint's step are dropped first so the file
/// matches an uninterrupted run.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Opens <paramref name="path"/> for appending, first keeping only lines whose step is at most <paramref name="keepThroughStep"/>.</summary>
    public MetricsLog(string path, long keepThroughStep)
    {
        Path = path;
        if (File.Exists(path))
        {
            var kept = File.ReadLines(path).Where(line => StepOf(line) is { } s && s <= keepThroughStep).ToList();
            IO.AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
        }
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Appends one record.</summary>
    public void Write(JsonObject record) => _writer.WriteLine(record.ToJsonString());

    /// <summary>Reads every record of a metrics file.</summary>
    public static IEnumerable<JsonObject> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l) as JsonObject).OfType<JsonObject>();

    private static long? StepOf(string line)
    {
        try
        {
            return JsonNode.Parse(line)?["step"]?.GetValue<long>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
