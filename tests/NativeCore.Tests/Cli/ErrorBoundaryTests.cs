using NativeCore.Cli;
using NativeCore.Cli.Commands;
using NativeCore.IO;

namespace NativeCore.Tests.Cli;

/// <summary>The CLI's one error boundary: every failure is one line on stderr and a documented exit code.</summary>
[Collection("Console")]
public sealed class ErrorBoundaryTests : TempDirectoryTest
{
    private static (int Exit, string Err) Cli(params string[] args) => CliCapture.Run(args);

    private static (int Exit, string Err) Boundary(Func<int> body, bool verbose)
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        CliRunner.Verbose = verbose;
        try
        {
            return (CliRunner.Run(body), error.ToString());
        }
        finally
        {
            CliRunner.Verbose = false;
            Console.SetError(saved);
        }
    }

    [Theory]
    [InlineData("pretrain", "--no-such-option")]
    [InlineData("no-such-command")]
    [InlineData("bench", "gemm", "--m", "twelve", "--k", "1", "--n", "1")]
    public void Parse_errors_are_argument_errors_not_exit_1(params string[] args)
    {
        var (exit, err) = Cli(args);
        Assert.Equal(ExitCodes.Config, exit);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unanticipated_exception_is_an_internal_error_with_no_stack_trace_unless_verbose()
    {
        static int Bug() => throw new InvalidOperationException("the invariant broke");
        var (exit, err) = Boundary(Bug, verbose: false);
        Assert.Equal(ExitCodes.Internal, exit);
        Assert.Contains("internal error (InvalidOperationException: the invariant broke)", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));

        var (verboseExit, verboseErr) = Boundary(Bug, verbose: true);
        Assert.Equal(ExitCodes.Internal, verboseExit);
        Assert.Contains("   at ", verboseErr, StringComparison.Ordinal);
    }

    [Fact]
    public void File_system_failures_exit_6_naming_the_path()
    {
        string missing = Dir("no-such-file.json");
        var (exit, err) = Boundary(() => File.ReadAllText(missing).Length, verbose: false);
        Assert.Equal(ExitCodes.InputOutput, exit);
        Assert.Contains(missing, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Tracr_compile_refuses_a_folder_that_holds_anything_and_leaves_it_as_it_was()
    {
        string dir = Dir("grammar-model");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "checkpoint.json"), "{\"mine\": true}");
        var (exit, err) = Cli("tracr", "compile", "--program", "counter", "--max-len", "4", "--out", dir);
        Assert.Equal(ExitCodes.InputOutput, exit);
        Assert.Contains(dir, err, StringComparison.Ordinal);
        Assert.Equal("{\"mine\": true}", File.ReadAllText(Path.Combine(dir, "checkpoint.json")));
        Assert.False(File.Exists(Path.Combine(dir, "tracr.json")));

        string file = Dir("a-file");
        File.WriteAllText(file, "x");
        Assert.Equal(ExitCodes.InputOutput, Cli("tracr", "compile", "--program", "counter", "--max-len", "4", "--out", file).Exit);

        string fresh = Dir("fresh");
        Assert.Equal(ExitCodes.Ok, Cli("tracr", "compile", "--program", "counter", "--max-len", "4", "--out", fresh).Exit);
        Assert.Equal(OutputFolder.Kinds.TracrModel, OutputFolder.Owner(fresh));
        Assert.Equal(ExitCodes.InputOutput, Cli("tracr", "compile", "--program", "counter", "--max-len", "4", "--out", fresh).Exit);
    }
}
