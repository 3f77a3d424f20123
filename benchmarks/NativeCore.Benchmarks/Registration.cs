using System.Runtime.CompilerServices;

namespace NativeCore.Benchmarks;

/// <summary>Makes the ILGPU backends known by name in every benchmark process, BenchmarkDotNet's children included.</summary>
internal static class Registration
{
    [ModuleInitializer]
    internal static void Register() => Backends.Ilgpu.IlgpuBackends.Register();
}
