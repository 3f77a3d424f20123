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
    /// <exception cref="InvalidCheckpointException">A line of the existing file is not a JSON object or its step is not a whole number; the message names the file and line.</exception>
    public MetricsLog(string path, long keepThroughStep)
    {
        Path = path;
        if (File.Exists(path))
        {
            var kept = Lines(path, dropTornLastLine: true).Where(l => l.Step is { } s && s <= keepThroughStep).Select(l => l.Text).ToList();
            IO.AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
        }
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Appends one record.</summary>
    public void Write(JsonObject record) => _writer.WriteLine(record.ToJsonString());

    /// <summary>Reads every record of a metrics file.</summary>
    /// <exception cref="InvalidCheckpointException">A line is not a JSON object or its step is not a whole number; the message names the file and line.</exception>
    public static IEnumerable<JsonObject> Read(string path) => Lines(path, dropTornLastLine: false).Select(l => l.Record).ToList();

    private static List<(string Text, JsonObject Record, long? Step)> Lines(string path, bool dropTornLastLine)
    {
        var result = new List<(string, JsonObject, long?)>();
        string[] lines = File.ReadAllText(path).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string text = lines[i].TrimEnd('\r');
            if (text.Trim().Length == 0) continue;
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // A run killed mid-write leaves a partial last line without its newline; resuming drops it, as it
                // drops every line past the checkpoint. Anywhere else a line that is not JSON is damage.
                if (dropTornLastLine && i == lines.Length - 1) break;
                throw new InvalidCheckpointException($"{path}: line {i + 1}: not valid JSON: {Clip(text)}");
            }
            if (node is not JsonObject record) throw new InvalidCheckpointException($"{path}: line {i + 1}: not a JSON object: {Clip(text)}");
            try
            {
                _ = record.Count;
            }
            catch (ArgumentException)
            {
                // JSON allows a repeated key; JsonObject throws ArgumentException on one when it first indexes its keys.
                throw new InvalidCheckpointException($"{path}: line {i + 1}: repeats a key: {Clip(text)}");
            }
            long? step = null;
            if (record.TryGetPropertyValue("step", out var s))
            {
                // TryGetValue on a string reads it, and throws on one that escapes a lone surrogate; a step is a number.
                if (s is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue(out long n))
                    throw new InvalidCheckpointException($"{path}: line {i + 1}: 'step' is not a whole number: {Clip(Render(s, text))}");
                step = n;
            }
            result.Add((text, record, step));
        }
        return result;
    }

    // Writing a string back out reads it, and one that escapes a lone surrogate ("\ud800") throws; the line's own
    // text shows it then.
    private static string Render(JsonNode? value, string line)
    {
        try
        {
            return value?.ToJsonString() ?? "null";
        }
        catch (InvalidOperationException)
        {
            return line;
        }
    }

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";

    /// <summary>Closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
