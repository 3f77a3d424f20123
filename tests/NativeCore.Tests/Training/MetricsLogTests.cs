using System.Text.Json.Nodes;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Training;

namespace NativeCore.Tests.Training;

/// <summary>A damaged metrics.jsonl is refused by file and line; only the partial last line of a killed run is dropped.</summary>
public sealed class MetricsLogTests : TempDirectoryTest
{
    private const string Step1 = """{"kind":"step","step":1,"loss":2.5}""";
    private const string Step2 = """{"kind":"step","step":2,"loss":2.4}""";

    private string Metrics(string text)
    {
        string path = Dir("metrics.jsonl");
        File.WriteAllText(path, text);
        return path;
    }

    private static void Refused(Action read, string path, params string[] mentions)
    {
        var e = Assert.Throws<InvalidCheckpointException>(read);
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        foreach (string m in mentions) Assert.Contains(m, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_intact_file_reads_and_resumes_as_before()
    {
        string path = Metrics($"{Step1}\n\n{Step2}\n");
        Assert.Equal([1L, 2L], MetricsLog.Read(path).Select(r => (long)r["step"]!));
        using (var log = new MetricsLog(path, 1)) log.Write(new JsonObject { ["kind"] = "step", ["step"] = 2 });
        Assert.Equal([1L, 2L], MetricsLog.Read(path).Select(r => (long)r["step"]!));
    }

    [Theory]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("garbage", "not valid JSON")]
    [InlineData("""{"kind":"step","step":"two"}""", "'step' is not a whole number")]
    // Found by fuzzing: these threw ArgumentException (JsonObject on a repeated key) and InvalidOperationException.
    [InlineData("""{"kind":"step","step":1,"step":2}""", "repeats a key")]
    [InlineData("""{"kind":"step","step":"\ud800"}""", "'step' is not a whole number")]
    public void Read_refuses_a_bad_line_naming_the_file_and_line(string line, string what)
    {
        string path = Metrics($"{Step1}\n{line}\n{Step2}\n");
        Refused(() => MetricsLog.Read(path), path, "line 2", what);
    }

    [Theory]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("garbage", "not valid JSON")]
    [InlineData("""{"kind":"step","step":1.5}""", "'step' is not a whole number")]
    [InlineData("""{"kind":"step","loss":1,"loss":2}""", "repeats a key")]
    public void Resume_refuses_a_bad_line_naming_the_file_and_line(string line, string what)
    {
        string path = Metrics($"{Step1}\n{line}\n{Step2}\n");
        Refused(() => new MetricsLog(path, 1).Dispose(), path, "line 2", what);
    }

    [Fact]
    public void A_bad_last_line_is_refused_when_it_was_finished_with_a_newline()
    {
        string path = Metrics($"{Step1}\n[1]\n");
        Refused(() => new MetricsLog(path, 1).Dispose(), path, "line 2");
    }

    [Fact]
    public void Resume_drops_the_partial_last_line_of_a_killed_run()
    {
        string path = Metrics($"{Step1}\n{Step2}\n{{\"kind\":\"st");
        using (var log = new MetricsLog(path, 2)) log.Write(new JsonObject { ["kind"] = "step", ["step"] = 3 });
        Assert.Equal([1L, 2L, 3L], MetricsLog.Read(path).Select(r => (long)r["step"]!));
    }

    [Fact]
    public void Read_refuses_a_partial_last_line()
    {
        string path = Metrics($"{Step1}\n{{\"kind\":\"st");
        Refused(() => MetricsLog.Read(path), path, "line 2", "not valid JSON");
    }

    [Fact]
    public void Pretrain_resume_refuses_a_damaged_metrics_file()
    {
        string run = Dir("run");
        var config = ConfigLoader.Load("smoke", ["pretrain.steps=4", "pretrain.checkpoint_every=2", "pretrain.eval_every=4"]);
        using var backend = BackendRegistry.Create("cpu");
        Trainer.Run(Stages.Pretrain(config, run, resume: false), backend);
        string path = Path.Combine(run, "metrics.jsonl");
        File.WriteAllText(path, "[1]\n" + File.ReadAllText(path));
        Refused(() => Trainer.Run(Stages.Pretrain(config, run, resume: true), backend), path, "line 1", "not a JSON object");
    }
}
