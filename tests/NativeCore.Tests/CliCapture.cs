using NativeCore.Cli;

namespace NativeCore.Tests;

/// <summary>Runs the CLI in-process and captures what it writes (tests using it share the "Console" collection).</summary>
internal static class CliCapture
{
    /// <summary>Program.Main on <paramref name="args"/>; returns the exit code and stderr.</summary>
    public static (int Exit, string Err) Run(params string[] args)
    {
        var (exit, _, err) = RunWithOutput(args);
        return (exit, err);
    }

    /// <summary>Program.Main on <paramref name="args"/>; returns the exit code, stdout and stderr.</summary>
    public static (int Exit, string Out, string Err) RunWithOutput(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (savedOut, savedErr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedErr);
        }
    }
}
