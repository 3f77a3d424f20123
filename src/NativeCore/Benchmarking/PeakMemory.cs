namespace NativeCore.Benchmarking;

/// <summary>
/// The process's peak resident set (Linux VmHWM), which can be reset between the phases of a benchmark so that each
/// phase's peak is measured on its own, as if it ran in a process of its own.
/// </summary>
internal static class PeakMemory
{
    private const string Status = "/proc/self/status";
    private const string ClearRefs = "/proc/self/clear_refs";

    /// <summary>Peak resident memory so far (since the last successful <see cref="Reset"/>), in GiB.</summary>
    public static double PeakGiB()
    {
        if (File.Exists(Status))
        {
            foreach (string line in File.ReadLines(Status))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                if (long.TryParse(kb, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value)) return value / (double)(1L << 20);
            }
        }
        return System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (double)(1L << 30);
    }

    /// <summary>
    /// Collects garbage, then resets the peak to the current resident set (writing 5 to clear_refs). Returns false
    /// where the kernel does not allow it; the next peak then includes earlier phases.
    /// </summary>
    public static bool Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            File.WriteAllText(ClearRefs, "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
