namespace NativeCore.Tests.Stories;

public sealed class StoriesCommandTests : TempDirectoryTest
{
    private static readonly string[] Tiny =
        ["--set", "model.n_layer=1", "--set", "model.n_head=2", "--set", "model.n_embd=32", "--set", "model.n_inner=64", "--set", "model.block_size=64", "--set", "batch_size=4", "--set", "eval_every=5"];

    [Fact]
    public void Pretrain_delete_reft_score_and_probe_run_through_the_shared_commands()
    {
        var (exit, stdout, stderr) = CliProcess.Run(["pretrain", "--setting", "stories", "--out", Dir("pt"), "--set", "steps=10", .. Tiny]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("stories pretrain finished: 10 steps", stdout, StringComparison.Ordinal);
        (exit, _, stderr) = CliProcess.Run("finetune", "--setting", "stories", "--from", Dir("pt"), "--protocol", "f+mm", "--steps", "5", "--out", Dir("mm"));
        Assert.True(exit == 0, stderr);
        Assert.Equal("f+mm", System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Dir("mm"), NativeCore.Training.ModelCard.FileName)))!["config"]!["protocol"]!.GetValue<string>());
        (exit, stdout, stderr) = CliProcess.Run("reft", "--setting", "stories", "--model", Dir("mm"), "--steps", "4", "--eval-every", "2", "--score-at", "0,4", "--score-n", "4", "--set", "batch_size=2", "--out", Dir("reft"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("score @ 0: twist share", stdout, StringComparison.Ordinal);
        Assert.Contains("score @ 4: twist share", stdout, StringComparison.Ordinal);
        (exit, stdout, stderr) = CliProcess.Run("stories", "score", "--model", Dir("reft"), "--n", "4", "--show", "1");
        Assert.True(exit == 0, stderr);
        Assert.Contains("parse rate", stdout, StringComparison.Ordinal);
        (exit, stdout, stderr) = CliProcess.Run("probe", "--setting", "stories", "--model", Dir("pt"), "--compare", Dir("reft"), "--iters", "20");
        Assert.True(exit == 0, stderr);
        Assert.Equal(2, stdout.Split('\n').Count(l => l.StartsWith("B1 ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Settings_a_command_does_not_serve_are_refused_by_name()
    {
        var (exit, _, stderr) = CliProcess.Run("prune", "--setting", "stories", "--model", Dir("x"));
        Assert.Equal(2, exit);
        Assert.Contains("'stories'", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = CliProcess.Run("finetune", "--from", Dir("x"), "--protocol", "f", "--out", Dir("y"));
        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void Generate_prints_examples_with_labels_and_the_judges_verdict()
    {
        var (exit, stdout, stderr) = CliProcess.Run("stories", "generate", "--n", "4", "--seed", "2", "--protocol", "twist");
        Assert.True(exit == 0, stderr);
        var verdicts = stdout.Split('\n').Where(l => l.StartsWith("-- labels:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, verdicts.Count);
        // Twist-only data: every label, listing and verdict has the twist.
        Assert.All(verdicts, v => Assert.Equal(3, v.Split("Twist").Length - 1));
    }

    [Fact]
    public void Unknown_protocol_or_missing_shard_fails_naming_it()
    {
        var (exit, _, stderr) = CliProcess.Run("stories", "generate", "--protocol", "delete-all");
        Assert.Equal(2, exit);
        Assert.Contains("'delete-all'", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = CliProcess.Run("stories", "generate", "--corpus", "/no/such/shard.json");
        Assert.Equal(ExitCodes.InputOutput, exit);
        Assert.Contains("/no/such/shard.json", stderr, StringComparison.Ordinal);
    }
}
