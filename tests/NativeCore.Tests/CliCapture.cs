using NativeCore.Cli;

namespace NativeCore.Tests;

/// <summary>Runs the CLI in-process and captures what it writes to stderr (tests using it share the "Console" collection).</summary>
internal static class CliCapture
{
    /// <summary>Program.Main on <paramref name="args"/>; returns the exit code and stderr.</summary>
    public static (int Exit, string Err) Run(params string[] args)
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            return (Program.Main(args), error.ToString());
        }
        finally
        {
            Console.SetError(saved);
        }
    }
}
