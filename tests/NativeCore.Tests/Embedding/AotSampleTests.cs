using System.Diagnostics;
using System.Text.RegularExpressions;

namespace NativeCore.Tests.Embedding;

/// <summary>
/// Publishes the embedding sample (src/NativeCore.Sample) with Native AOT and runs the native binary: the publish must
/// be free of trim and AOT warnings, and the binary must train, read its hook and generate, with the same numbers as
/// the same program on the JIT. Skips where the native toolchain (clang, zlib) is missing; under CI=true it fails
/// instead, since .ci/run installs it.
/// </summary>
public sealed partial class AotSampleTests : TempDirectoryTest
{
    private static string Repo
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NativeCore.sln"))) dir = dir.Parent;
            Assert.True(dir is not null, "cannot find the repository root (NativeCore.sln) above " + AppContext.BaseDirectory);
            return dir!.FullName;
        }
    }

    private static string Project => Path.Combine(Repo, "src", "NativeCore.Sample", "NativeCore.Sample.csproj");

    private static string? MissingToolchain()
    {
        if (!OperatingSystem.IsLinux()) return "the AOT sample test runs on Linux";
        string[] compilers = ["clang", "clang-14", "clang-15", "clang-16", "gcc"];
        if (!compilers.Any(c => File.Exists(Path.Combine("/usr/bin", c)))) return "Native AOT needs clang (apt-get install clang)";
        if (!File.Exists("/usr/include/zlib.h")) return "Native AOT needs zlib's headers (apt-get install zlib1g-dev)";
        return null;
    }

    private static (int Exit, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(8))) p.Kill(entireProcessTree: true);
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The sample's output without the lines that measure the run (time to the first step, memory).</summary>
    private static string Numbers(string output) => Measured().Replace(output, "");

    [GeneratedRegex(@"(, \d+ ms after start|peak working set: \d+ MiB)")]
    private static partial Regex Measured();

    [SkippableFact]
    public void The_sample_publishes_with_native_aot_without_warnings_and_its_binary_trains_reads_a_hook_and_generates()
    {
        string? missing = MissingToolchain();
        if (missing is not null && Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI must run the AOT sample test: {missing}");
        Skip.If(missing is not null, missing);

        string aot = Path.Combine(Root, "aot");
        var (exit, log) = Run("dotnet", "publish", Project, "-c", "Release", "-r", "linux-x64", "-o", aot, "-p:TreatWarningsAsErrors=true", "-nologo");
        Assert.True(exit == 0, log);
        Assert.DoesNotMatch(@"warning [A-Z]+\d+", log);
        string binary = Path.Combine(aot, "NativeCore.Sample");
        Assert.True(File.Exists(binary), $"no native binary at {binary}:\n{log}");
        // A native binary has no IL beside it to fall back on.
        Assert.False(File.Exists(Path.Combine(aot, "NativeCore.Sample.dll")), "the publish left a managed NativeCore.Sample.dll: not an AOT publish");

        var (nativeExit, native) = Run(binary);
        Assert.True(nativeExit == 0, native);
        var first = FirstLoss().Match(native);
        var last = LastLoss().Match(native);
        Assert.True(first.Success && last.Success, native);
        // Sixty steps of "next token = token + 1" take the loss from about ln 16 to a small fraction of it.
        Assert.True(double.Parse(last.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < 0.1 * double.Parse(first.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), native);
        Assert.Contains("transformer.h.1.resid_post: shape [1,8,32]", native, StringComparison.Ordinal);
        Assert.Contains("generated after 3 4 5: 6 7 8 9 10", native, StringComparison.Ordinal);

        // The same program on the JIT gives the same numbers, digit for digit.
        string jit = Path.Combine(Root, "jit");
        var (buildExit, buildLog) = Run("dotnet", "build", Project, "-c", "Release", "-o", jit, "-nologo");
        Assert.True(buildExit == 0, buildLog);
        var (jitExit, managed) = Run("dotnet", Path.Combine(jit, "NativeCore.Sample.dll"));
        Assert.True(jitExit == 0, managed);
        Assert.Equal(Numbers(managed), Numbers(native));
    }

    [GeneratedRegex(@"first step: loss ([0-9.]+)")]
    private static partial Regex FirstLoss();

    [GeneratedRegex(@"step 60: loss ([0-9.]+)")]
    private static partial Regex LastLoss();
}
