using NativeCore.Cli;

namespace NativeCore.Tests.Cli;

[Collection("Console")]
public class CliTests
{
    [Fact]
    public void Verify_on_a_missing_folder_is_an_input_error()
    {
        int exit = Program.Main(["verify", Path.Combine(Path.GetTempPath(), "no-such-golden-case")]);
        Assert.Equal(ExitCodes.InputOutput, exit);
    }

    [Theory]
    // Each is refused before any model is read, so the model path need not exist.
    [InlineData("prune", "--model", "no-such-model", "--k", "5..9")]
    [InlineData("probe", "--model", "no-such-model", "--iters", "0")]
    [InlineData("probe", "--model", "no-such-model", "--iters", "-3", "--setting", "stories")]
    [InlineData("tracr", "eval", "no-such-model", "--n", "-1")]
    [InlineData("tracr", "eval", "no-such-model", "--length", "0")]
    public void Out_of_range_options_are_refused_as_configuration_errors(params string[] args)
    {
        var (exit, error) = CliCapture.Run(args);
        Assert.Equal(2, exit);
        string option = args[^2] == "--setting" ? args[^4] : args[^2];
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.DoesNotContain("no-such-model", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_backend_exits_non_zero()
    {
        int exit = Program.Main(["verify", SharedFolder.Golden("tiny"), "--backend", "tpu"]);
        Assert.Equal(5, exit);
    }
}
