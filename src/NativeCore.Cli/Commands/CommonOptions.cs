using System.CommandLine;
using NativeCore.Backends;

namespace NativeCore.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<string> Backend() => new("--backend")
    {
        Description = $"Backend to run on: {string.Join(", ", BackendRegistry.Names)}",
        DefaultValueFactory = _ => BackendRegistry.Default,
    };

    public static Option<int> Required(string name, string description) => new(name) { Description = description, Required = true };
}
