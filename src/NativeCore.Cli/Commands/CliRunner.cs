namespace NativeCore.Cli.Commands;

/// <summary>Runs a command body and maps NativeCore's failure families to a one-line message and an exit code.</summary>
internal static class CliRunner
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (NativeCoreException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
    }
}
