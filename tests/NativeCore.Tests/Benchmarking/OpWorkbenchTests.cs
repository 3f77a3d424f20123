using NativeCore.Benchmarking;

namespace NativeCore.Tests.Benchmarking;

/// <summary>The op workbench: every registered op runs on the host backends, and <c>bench op</c> names them all.</summary>
[Collection("Console")]
public class OpWorkbenchTests
{
    // Odd sizes everywhere, an even head size (rope) and C divisible by NH (attention): the smallest shape every op takes.
    private static readonly OpShape Tiny = new()
    {
        Batch = 2, Seq = 5, Embd = 12, Heads = 2, Vocab = 7, Layers = 1,
        InnerOverride = 10, MOverride = 7, KOverride = 5, NOverride = 9, ParamsOverride = 37,
    };

    /// <summary>One row per registered op and host backend.</summary>
    public static TheoryData<string, string> OpsOnHostBackends
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string op in OpRegistry.Names)
                foreach (string backend in new[] { "cpu", "reference" }) data.Add(op, backend);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(OpsOnHostBackends))]
    public void Every_op_runs_forward_and_backward_with_finite_results(string name, string backend)
    {
        var op = OpRegistry.Find(name);
        using var be = TestBackends.Create(backend);
        using var run = OpRun.Allocate(be, op, Tiny);
        run.Forward();
        if (op.Backward is not null) run.Backward();
        be.Synchronize();
        foreach (var (buffer, values) in run.Download())
            Assert.True(values.All(float.IsFinite), $"{name} on {backend}: {buffer} holds a non-finite value");
        Assert.True(double.IsFinite(run.Result), $"{name} on {backend}: result {run.Result}");
        Assert.True(op.Forward.Work(Tiny) is { Bytes: > 0 }, $"{name}: forward work not counted");
    }

    [Fact]
    public void Op_names_are_unique()
    {
        Assert.Equal(OpRegistry.Names.Count, OpRegistry.Names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void List_names_every_registered_op()
    {
        var (exit, output, _) = CliCapture.RunWithOutput("bench", "op", "--list");
        Assert.Equal(0, exit);
        var listed = output.Split('\n').Select(line => line.Split(' ', 2)[0]).ToHashSet(StringComparer.Ordinal);
        foreach (string name in OpRegistry.Names) Assert.Contains(name, listed);
    }

    [Fact]
    public void An_unknown_op_exits_2_naming_it()
    {
        var (exit, err) = CliCapture.Run("bench", "op", "no-such-op", "--backend", "cpu");
        Assert.Equal(ExitCodes.Config, exit);
        Assert.Contains("'no-such-op'", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("--embd", "attention", "--embd", "190")]
    [InlineData("--embd", "rope", "--embd", "18", "--heads", "6")]
    [InlineData("--heads", "gelu", "--heads", "4")]
    [InlineData("--m", "gemm", "--m", "0")]
    [InlineData("more than one buffer can index", "gemm", "--m", "100000", "--k", "100000")]
    [InlineData("small or paper-like", "gelu", "--config", "huge")]
    public void A_bad_shape_exits_2_with_one_line_naming_it(string named, params string[] args)
    {
        var (exit, err) = CliCapture.Run(["bench", "op", .. args]);
        Assert.Equal(ExitCodes.Config, exit);
        Assert.Contains(named, err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Bench_op_ends_with_one_json_line_of_both_directions()
    {
        var (exit, output, err) = CliCapture.RunWithOutput("bench", "op", "layernorm", "--backend", "cpu", "--batch", "2", "--seq", "3", "--embd", "8");
        Assert.True(exit == 0, err);
        string json = output.TrimEnd().Split('\n')[^1];
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        foreach (string key in new[] { "forward_ms", "forward_gb_per_s", "backward_ms", "backward_gb_per_s" })
            Assert.True(doc.RootElement.TryGetProperty(key, out _), $"{key} missing from {json}");
    }
}
