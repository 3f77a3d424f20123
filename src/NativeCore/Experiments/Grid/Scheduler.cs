using System.ComponentModel;
using System.Diagnostics;

namespace NativeCore.Experiments;

/// <summary>Runs the scheduler's command-line tools (sbatch, squeue, scancel) and turns their failures into one line.</summary>
internal static class Scheduler
{
    /// <summary>Runs <paramref name="tool"/> with <paramref name="args"/>; returns its standard output, or throws naming the tool and what it said.</summary>
    public static string Run(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new SchedulerException($"{tool}: could not be started");
        }
        catch (Win32Exception)
        {
            throw new SchedulerException($"{tool}: not found on PATH; --executor slurm needs Slurm's client tools on the machine that submits");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new SchedulerException($"{tool} {string.Join(' ', psi.ArgumentList.Select(Shell.Quote))} failed with exit code {process.ExitCode}: {stderr.Result.Trim().ReplaceLineEndings(" ")}");
            return stdout.Result;
        }
    }

    /// <summary>Whether <paramref name="tool"/> is on PATH.</summary>
    public static bool Available(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, tool)));
}
