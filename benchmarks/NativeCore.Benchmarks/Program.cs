using BenchmarkDotNet.Running;

namespace NativeCore.Benchmarks;

/// <summary>Runs the BenchmarkDotNet suites: <c>dotnet run -c Release --project benchmarks/NativeCore.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point; BenchmarkSwitcher takes the usual filter arguments.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
