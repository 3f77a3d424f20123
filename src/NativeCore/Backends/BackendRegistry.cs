using NativeCore.Backends.Cpu;
using NativeCore.Backends.Ilgpu;
using NativeCore.Reference;

namespace NativeCore.Backends;

/// <summary>Creates backends by their command-line name and lists what this machine offers.</summary>
public static class BackendRegistry
{
    /// <summary>The backend every command uses unless told otherwise.</summary>
    public const string Default = "cpu";

    /// <summary>Every name <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "reference", "ilgpu-cpu", "cuda", "opencl"];

    /// <summary>The backends that run the ILGPU kernels.</summary>
    public static IReadOnlyList<string> IlgpuNames { get; } = ["ilgpu-cpu", "cuda", "opencl"];

    /// <summary>One line per ILGPU device found on this machine.</summary>
    public static IReadOnlyList<string> DescribeIlgpuDevices() => IlgpuDevices.Describe();

    /// <summary>Creates the backend called <paramref name="name"/>.</summary>
    /// <exception cref="BackendUnavailableException">The name is unknown or its device is missing.</exception>
    public static IBackend Create(string name) => name switch
    {
        "cpu" => new CpuBackend(),
        "reference" => new ReferenceBackend(),
        "ilgpu-cpu" or "cuda" or "opencl" => new IlgpuBackend(name),
        _ => throw new BackendUnavailableException($"unknown backend '{name}'; known backends: {string.Join(", ", Names)}"),
    };
}
