using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using NativeCore.Stories;
using NativeCore.Training;
using Xunit.Abstractions;

namespace NativeCore.Tests.Fuzz;

/// <summary>
/// Mutated TinyStories-Instruct shards and metrics.jsonl files load, or are refused with the documented exception
/// naming the file.
/// </summary>
public sealed class ShardAndMetricsFuzzTests(ITestOutputHelper output) : TempDirectoryTest
{
    [Fact]
    public void Mutated_story_shards_load_or_are_refused_naming_the_file()
    {
        const int iterations = 3000;
        var original = new JsonOriginal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Stories", "Fixtures", "tinystories-instruct-fixture.json")));
        string path = Dir("shard.json");
        static string Fingerprint(object? records) => JsonSerializer.Serialize((IReadOnlyList<TinyStoriesRecord>)records!);
        File.WriteAllBytes(path, original.Bytes);
        string expected = Fingerprint(TinyStoriesInstruct.Load(path));

        var tally = FuzzProperty.Check(output, "story shards (TinyStoriesInstruct.Load)", original.Mutations, iterations, "storyshard01", m =>
        {
            byte[] bytes = original.Apply(m);
            File.WriteAllBytes(path, bytes);
            return new Trial(() => TinyStoriesInstruct.Load(path), [typeof(InvalidConfigException)], [path], bytes.Length,
                original.SameMeaning(bytes) ? (expected, Fingerprint) : null);
        });
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }

    /// <summary>A metrics file as the trainer writes it: step lines, and an eval line every few steps.</summary>
    private byte[] Metrics()
    {
        string path = Dir("written.jsonl");
        using (var log = new MetricsLog(path, 0))
        {
            for (int step = 1; step <= 6; step++)
            {
                log.Write(new JsonObject { ["kind"] = "step", ["step"] = step, ["loss"] = 3.0 / step, ["lr"] = 1e-3, ["grad_norm"] = 0.5, ["tokens_per_s"] = 1234.5 });
                if (step % 3 == 0) log.Write(new JsonObject { ["kind"] = "eval", ["step"] = step, ["accuracy"] = new JsonObject { ["C"] = 0.25 * step / 3 } });
            }
        }
        return File.ReadAllBytes(path);
    }

    /// <summary>A mutation of one line of a JSON-lines file (structural edits), then byte edits of the whole file.</summary>
    private sealed record LinesMutation(int Line, JsonEdit[] Structure, ByteEdit[] Bytes)
    {
        public byte[] Apply(string[] lines, JsonTree[] trees)
        {
            var copy = (string[])lines.Clone();
            if (Structure.Length > 0)
            {
                var tree = trees[Line].Clone();
                foreach (var e in Structure) e.Apply(tree);
                copy[Line] = tree.ToString();
            }
            return ByteEdits.ApplyAll(Encoding.UTF8.GetBytes(string.Join('\n', copy) + "\n"), Bytes);
        }

        public override string ToString() => string.Join("; ",
            Structure.Select(s => string.Create(CultureInfo.InvariantCulture, $"line {Line + 1}: {s}")).Concat(Bytes.Select(b => b.ToString())));
    }

    /// <summary>Whether two JSON-lines files hold the same records, blank lines aside (as the reader skips them).</summary>
    private static bool SameRecords(byte[] a, byte[] b)
    {
        static string[] Records(byte[] bytes) => [.. Encoding.UTF8.GetString(bytes).Split('\n').Where(l => l.Trim().Length > 0)];
        string[] x = Records(a), y = Records(b);
        return x.Length == y.Length && x.Zip(y).All(p => JsonTree.SameMeaning(Encoding.UTF8.GetBytes(p.First), Encoding.UTF8.GetBytes(p.Second)));
    }

    private static Gen<LinesMutation> LineMutations(JsonTree[] trees, int length) =>
        Gen.Int[0, trees.Length - 1].SelectMany(line =>
        {
            var structure = JsonEdits.Of(trees[line]);
            var bytes = ByteEdits.Of(length);
            return Gen.Frequency(
                (5, structure.Array[1, 2].Select(s => new LinesMutation(line, s, []))),
                (4, bytes.Array[1, 3].Select(b => new LinesMutation(line, [], b))),
                (1, Gen.Select(structure.Array[1, 2], bytes.Array[1, 2], (s, b) => new LinesMutation(line, s, b))));
        });

    [Fact]
    public void Mutated_metrics_jsonl_reads_or_is_refused_naming_the_file()
    {
        const int iterations = 2000;
        byte[] original = Metrics();
        string[] lines = Encoding.UTF8.GetString(original).TrimEnd('\n').Split('\n');
        JsonTree[] trees = [.. lines.Select(JsonTree.Parse)];
        string path = Dir("metrics.jsonl");
        static string Fingerprint(object? records) => string.Join("\n", ((IEnumerable<JsonObject>)records!).Select(r => r.ToJsonString()));
        File.WriteAllBytes(path, original);
        string expected = Fingerprint(MetricsLog.Read(path));

        var tally = FuzzProperty.Check(output, "metrics.jsonl (MetricsLog.Read)", LineMutations(trees, original.Length), iterations, "metricsjsonl", m =>
        {
            byte[] bytes = m.Apply(lines, trees);
            File.WriteAllBytes(path, bytes);
            return new Trial(() => MetricsLog.Read(path), [typeof(InvalidCheckpointException)], [path], bytes.Length,
                SameRecords(original, bytes) ? (expected, Fingerprint) : null);
        });
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }

    [Fact]
    public void Mutated_metrics_jsonl_resumes_or_is_refused_naming_the_file()
    {
        const int iterations = 2000;
        byte[] original = Metrics();
        string[] lines = Encoding.UTF8.GetString(original).TrimEnd('\n').Split('\n');
        JsonTree[] trees = [.. lines.Select(JsonTree.Parse)];
        string path = Dir("resumed.jsonl");

        // Resuming at step 4 keeps what a run checkpointed there wrote and drops the rest (a torn last line too).
        var tally = FuzzProperty.Check(output, "metrics.jsonl (MetricsLog resume)", LineMutations(trees, original.Length), iterations, "metricsresum", m =>
        {
            byte[] bytes = m.Apply(lines, trees);
            File.WriteAllBytes(path, bytes);
            return new Trial(() =>
            {
                using (new MetricsLog(path, keepThroughStep: 4)) { }
                return MetricsLog.Read(path).Count();
            }, [typeof(InvalidCheckpointException)], [path], bytes.Length);
        });
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }
}
