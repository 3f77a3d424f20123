namespace NativeCore.Tests.Stories;

public class StoriesCommandTests
{
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
        Assert.Equal(2, exit);
        Assert.Contains("/no/such/shard.json", stderr, StringComparison.Ordinal);
    }
}
