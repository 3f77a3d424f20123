using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace NativeCore.Tests.Fuzz;

/// <summary>One mutated input, ready to load, and what the property asks of it.</summary>
/// <param name="Load">Calls the reader on the mutated file(s) (already written) and returns what it read.</param>
/// <param name="Documented">The exception types the reader documents for a bad file; any other type fails.</param>
/// <param name="Paths">The files a refusal may name; its message must contain one of them.</param>
/// <param name="InputBytes">The size of what the reader reads, for the allocation budget.</param>
/// <param name="AsOriginal">
/// When the mutation kept the meaning (and the check is cheap): the original's fingerprint and how to take one of
/// what <paramref name="Load"/> returned. Null when the meaning may have changed.
/// </param>
/// <param name="Names">
/// For inputs that are no file (<c>--set</c> overrides): whether a refusal's message names what was wrong; then
/// <paramref name="Paths"/> only describes it in the report.
/// </param>
internal sealed record Trial(Func<object?> Load, IReadOnlyList<Type> Documented, IReadOnlyList<string> Paths, long InputBytes,
    (string Fingerprint, Func<object?, string> Of)? AsOriginal = null, Func<string, bool>? Names = null);

/// <summary>How the cases of one fuzz test ended.</summary>
internal sealed record FuzzTally(int Cases, int Loaded, int LoadedAsOriginal, int Refused, IReadOnlyDictionary<string, int> RefusedBy, TimeSpan Elapsed);

/// <summary>
/// The fuzzing property shared by every reader: a mutated file either loads (as the original, when the mutation kept
/// its meaning) or is refused with the reader's documented NativeCore exception naming the file; never another
/// exception, never a hang, never an allocation out of proportion to the file.
/// </summary>
internal static class FuzzProperty
{
    /// <summary>A load that takes this long is a hang: the slowest reader takes milliseconds on these small files.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The most one load may allocate: 64 MiB plus 16 bytes per input byte. The readers copy a file a few times
    /// over (bytes, tensors, floats); a reader that believed a size field would allocate gigabytes.
    /// </summary>
    public static long AllocationBudget(long inputBytes) => (64L << 20) + 16 * inputBytes;

    /// <summary>
    /// NATIVECORE_FUZZ_SCALE=N multiplies every test's case count, and NATIVECORE_FUZZ_SEED (12 CsCheck seed
    /// characters) replaces every test's seed: a longer or different hunt by hand. CI sets neither.
    /// </summary>
    public static int Scale { get; } = int.TryParse(Environment.GetEnvironmentVariable("NATIVECORE_FUZZ_SCALE"), out int s) && s > 0 ? s : 1;

    private static readonly string? SeedOverride = Environment.GetEnvironmentVariable("NATIVECORE_FUZZ_SEED") is { Length: > 0 } v ? v : null;

    /// <summary>
    /// Draws <paramref name="iterations"/> (times <see cref="Scale"/>) cases from <paramref name="gen"/> and checks each.
    /// All cases come from one CsCheck sample with the fixed <paramref name="seed"/>, so every run checks the same cases
    /// (CsCheck seeds only the first sample of a run; the ones after are drawn afresh). The tally goes to
    /// <paramref name="output"/>.
    /// </summary>
    /// <exception cref="XunitException">A case broke the property; the message lists one case of each kind of failure.</exception>
    public static FuzzTally Check<TCase>(ITestOutputHelper output, string reader, Gen<TCase> gen, int iterations, string seed, Func<TCase, Trial> trial)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(trial);
        iterations *= Scale;
        seed = SeedOverride ?? seed;
        FuzzTally? tally = null;
        try
        {
            gen.Array[iterations].Sample(cases => tally = Run(reader, cases, trial), seed: seed, iter: 1, threads: 1,
                print: cases => string.Create(CultureInfo.InvariantCulture, $"{cases.Length} mutated inputs for {reader}"));
        }
        catch (CsCheckException e) when (e.InnerException is XunitException failure)
        {
            throw new XunitException($"{failure.Message}\n(CsCheck seed {seed}, {iterations} cases)");
        }
        var t = tally!;
        string refusals = string.Join(", ", t.RefusedBy.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{reader}: {t.Cases} mutated inputs (seed {seed}): {t.Loaded} loaded ({t.LoadedAsOriginal} checked equal to the original), {t.Refused} refused ({refusals}), {t.Elapsed.TotalSeconds:F2} s"));
        return t;
    }

    /// <summary>
    /// A fuzzer whose every case is refused (or loads) tests one branch only: both outcomes must occur, and the count
    /// of cases must be the one asked for.
    /// </summary>
    public static void AssertBothOutcomes(FuzzTally tally, int iterations)
    {
        Assert.Equal(iterations * FuzzProperty.Scale, tally.Cases);
        Assert.True(tally.Loaded > 0, "no mutated file loaded: the fuzzer exercises the refusals only");
        Assert.True(tally.Refused > tally.Cases / 10, $"only {tally.Refused} mutated files were refused");
    }

    private static FuzzTally Run<TCase>(string reader, TCase[] cases, Func<TCase, Trial> trial)
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<(string Kind, string Text)>();
        int loaded = 0, asOriginal = 0, refused = 0;
        var refusedBy = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < cases.Length; i++)
        {
            var c = trial(cases[i]);
            string what = string.Create(CultureInfo.InvariantCulture, $"case {i} ({cases[i]})");
            // Each load gets its own thread and its clock starts when the load does: on the shared thread pool, a
            // case queued behind other tests' work waited longer than the timeout without having started (CI, 2 cores).
            using var started = new ManualResetEventSlim();
            var task = Task.Factory.StartNew<(object? Result, Exception? Error, long Allocated)>(() =>
            {
                started.Set();
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    var result = c.Load();
                    return (result, null, GC.GetAllocatedBytesForCurrentThread() - before);
                }
                catch (Exception e)
                {
                    return (null, e, GC.GetAllocatedBytesForCurrentThread() - before);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            started.Wait();
            if (!task.Wait(Timeout))
            {
                // The load cannot be stopped; reporting now beats waiting on a thread that may never return.
                failures.Add(("hang", $"{what}: did not return within {Timeout.TotalSeconds} s"));
                break;
            }
            var (value, error, allocated) = task.Result;
            if (allocated > AllocationBudget(c.InputBytes))
                failures.Add(("allocation", string.Create(CultureInfo.InvariantCulture, $"{what}: allocated {allocated:N0} bytes reading {c.InputBytes:N0} (budget {AllocationBudget(c.InputBytes):N0})")));
            if (error is null)
            {
                loaded++;
                if (c.AsOriginal is { } original)
                {
                    string got = original.Of(value);
                    if (got != original.Fingerprint)
                        failures.Add(("meaning", $"{what}: kept the file's meaning but loaded something else:\n  original: {Clip(original.Fingerprint)}\n  loaded:   {Clip(got)}"));
                    else asOriginal++;
                }
            }
            else if (!c.Documented.Contains(error.GetType()))
            {
                failures.Add(($"{error.GetType().Name} {Frames(error)}", $"{what}: threw {error.GetType().FullName} (documented: {string.Join(" or ", c.Documented.Select(d => d.Name))}): {error.Message}\n{Frames(error)}"));
            }
            else if (!(c.Names ?? (m => c.Paths.Any(p => m.Contains(p, StringComparison.Ordinal))))(error.Message))
            {
                failures.Add(("unnamed " + Shape(error.Message), $"{what}: {error.GetType().Name} does not name {string.Join(" or ", c.Paths)}: {error.Message}"));
            }
            else
            {
                refused++;
                refusedBy[error.GetType().Name] = refusedBy.GetValueOrDefault(error.GetType().Name) + 1;
            }
        }
        if (failures.Count > 0)
        {
            var report = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{reader}: {failures.Count} of {cases.Length} mutated inputs broke the property (loads, or is refused with the documented exception naming the file):"));
            // One example of each kind of failure (where it threw, or the wording that names nothing), most frequent first.
            var kinds = failures.GroupBy(f => f.Kind).OrderByDescending(g => g.Count()).ToList();
            foreach (var kind in kinds.Take(8)) report.Append(CultureInfo.InvariantCulture, $"\n- [{kind.Count()}×] ").Append(kind.First().Text);
            if (kinds.Count > 8) report.Append(CultureInfo.InvariantCulture, $"\n- … and {kinds.Count - 8} more kinds");
            throw new XunitException(report.ToString());
        }
        return new FuzzTally(cases.Length, loaded, asOriginal, refused, refusedBy, clock.Elapsed);
    }

    // The top frames say what threw; the first NativeCore frame says which reader let it through.
    private static string Frames(Exception e)
    {
        var lines = (e.StackTrace ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var shown = lines.Take(3).ToList();
        if (lines.Skip(3).FirstOrDefault(l => l.StartsWith("at NativeCore.", StringComparison.Ordinal) && !l.StartsWith("at NativeCore.Tests.", StringComparison.Ordinal)) is { } reader)
            shown.Add("… " + reader);
        return string.Join("\n", shown.Select(l => "    " + l));
    }

    // A message with its numbers and quoted values taken out, so that refusals worded alike group together.
    private static string Shape(string message)
    {
        string shape = System.Text.RegularExpressions.Regex.Replace(message, @"-?\d+(\.\d+)?|'[^']*'", "#");
        return shape.Length <= 40 ? shape : shape[..40];
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
