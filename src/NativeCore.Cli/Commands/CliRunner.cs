namespace NativeCore.Cli.Commands;

/// <summary>
/// The one error boundary: runs a command body and turns any failure into one line on stderr and an exit code from
/// <see cref="ExitCodes"/>. A stack trace is printed only with <c>--verbose</c>.
/// </summary>
internal static class CliRunner
{
    /// <summary>Set from the root's <c>--verbose</c> option before any command runs.</summary>
    public static bool Verbose { get; set; }

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (NativeCoreException e)
        {
            return Fail(e.Message, e.ExitCode, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The runtime's messages name the path ("Could not find file '…'", "Access to the path '…' is denied").
            return Fail(e.Message, ExitCodes.InputOutput, e);
        }
        catch (Exception e)
        {
            return Fail($"internal error ({e.GetType().Name}: {e.Message}); this is a bug in NativeCore; rerun with --verbose for the stack trace", ExitCodes.Internal, e);
        }
    }

    private static int Fail(string message, int code, Exception e)
    {
        Console.Error.WriteLine($"error: {message}");
        if (Verbose) Console.Error.WriteLine(e);
        return code;
    }
}
