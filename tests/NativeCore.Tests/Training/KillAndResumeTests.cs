using NativeCore.Training;

namespace NativeCore.Tests.Training;

/// <summary>
/// Every setting's run, killed with SIGKILL after its first checkpoint and resumed with --resume, ends with the same
/// weights, byte for byte, as the same run never interrupted; and without --resume the killed folder is refused.
/// (The grammar setting's version, with optimizer state and metrics, is in TrainerTests.)
/// </summary>
public sealed class KillAndResumeTests : TempDirectoryTest
{
    [Fact]
    public void A_tracr_finetune_killed_and_resumed_ends_bit_identical()
    {
        var (exit, _, err) = CliProcess.Run("tracr", "compile", "--program", "counter", "--max-len", "6", "--out", Dir("c"));
        Assert.True(exit == 0, err);
        string[] Args(string output) => ["finetune", "--setting", "tracr", "--from", Dir("c"), "--out", output,
            "--set", "steps=1500", "--set", "batch_size=8", "--set", "eval_every=25", "--set", "eval_size=16", "--set", "lr=0.001"];
        AssertResumeIsExact(Args(Dir("whole")), Args(Dir("killed")), Dir("whole"), Dir("killed"), ModelCard.FileName);
    }

    [Fact]
    public void A_tracr_reft_killed_and_resumed_ends_bit_identical()
    {
        var (exit, _, err) = CliProcess.Run("tracr", "compile", "--program", "counter", "--max-len", "6", "--out", Dir("c"));
        Assert.True(exit == 0, err);
        (exit, _, err) = CliProcess.Run("finetune", "--from", Dir("c"), "--out", Dir("ft"), "--set", "steps=4", "--set", "eval_every=4", "--set", "eval_size=16", "--set", "batch_size=8", "--set", "lr=0.001");
        Assert.True(exit == 0, err);
        string[] Args(string output) => ["reft", "--model", Dir("ft"), "--out", output, "--steps", "1500", "--eval-every", "25", "--set", "batch_size=8", "--set", "eval_size=16"];
        AssertResumeIsExact(Args(Dir("whole")), Args(Dir("killed")), Dir("whole"), Dir("killed"), ModelCard.FileName);
    }

    [Fact]
    public void A_stories_pretrain_killed_and_resumed_ends_bit_identical()
    {
        string[] Args(string output) => ["pretrain", "--setting", "stories", "--out", output,
            "--set", "model.n_layer=1", "--set", "model.n_head=2", "--set", "model.n_embd=32", "--set", "model.n_inner=64", "--set", "model.block_size=32",
            "--set", "batch_size=2", "--set", "steps=600", "--set", "eval_every=20", "--set", "model.dropout=0.1"];
        AssertResumeIsExact(Args(Dir("whole")), Args(Dir("killed")), Dir("whole"), Dir("killed"), ModelCard.FileName);
    }

    private static void AssertResumeIsExact(string[] whole, string[] killed, string wholeDir, string killedDir, string sidecar)
    {
        var (exit, _, err) = CliProcess.Run(whole);
        Assert.True(exit == 0, err);

        using (var child = CliProcess.Start(killed))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (Checkpoint.Latest(killedDir) is null && !child.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Assert.False(child.HasExited, "the run finished before it could be killed; make it longer");
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killedDir, sidecar)), "the killed run got to its final save");
        string resumedFrom = Checkpoint.Latest(killedDir)!;
        // Until its final save, the ledger shows the unfinished run as its latest checkpoint.
        var unfinished = NativeCore.Ledger.LineageReader.Read(killedDir);
        Assert.Equal(Path.GetFullPath(resumedFrom), Path.GetFullPath(unfinished.Directory));
        Assert.InRange(unfinished.Step ?? -1, 1, unfinished.TotalSteps ?? 0 - 1);

        (exit, _, err) = CliProcess.Run(killed);
        Assert.Equal(2, exit);
        Assert.Contains("--resume", err, StringComparison.Ordinal);

        (exit, _, err) = CliProcess.Run([.. killed, "--resume"]);
        Assert.True(exit == 0, err);
        Assert.NotEqual(resumedFrom, Checkpoint.Latest(killedDir));
        Assert.Equal(File.ReadAllBytes(Path.Combine(wholeDir, "model.safetensors")), File.ReadAllBytes(Path.Combine(killedDir, "model.safetensors")));
        // The resumed metrics have each step once, as the uninterrupted run's do.
        var steps = MetricsLog.Read(Path.Combine(killedDir, "metrics.jsonl")).Where(r => (string?)r["kind"] == "step").Select(r => (long)r["step"]!).ToList();
        Assert.Equal(MetricsLog.Read(Path.Combine(wholeDir, "metrics.jsonl")).Where(r => (string?)r["kind"] == "step").Select(r => (long)r["step"]!), steps);
    }
}
