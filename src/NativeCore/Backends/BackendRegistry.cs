using NativeCore.Backends.Cpu;
using NativeCore.Reference;

namespace NativeCore.Backends;

/// <summary>Creates backends by their command-line name and lists what this machine offers.</summary>
public static class BackendRegistry
{
    /// <summary>The backend every command uses unless told otherwise.</summary>
    public const string Default = "cpu";

    /// <summary>Every name <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "reference"];

    /// <summary>Creates the backend called <paramref name="name"/>.</summary>
    /// <exception cref="BackendUnavailableException">The name is unknown or its device is missing.</exception>
    public static IBackend Create(string name) => name switch
    {
        "cpu" => new CpuBackend(),
        "reference" => new ReferenceBackend(),
        _ => throw new BackendUnavailableException($"unknown backend '{name}'; known backends: {string.Join(", ", Names)}"),
    };
}
