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

    /// <summary>The <c>--setting</c> option of a command that serves the settings in <paramref name="supported"/>.</summary>
    public static Option<string> Setting(params Setting[] supported) => new("--setting")
    {
        Description = "Which of the paper's settings: " + string.Join(", ", supported.Select(s => s.ToString().ToLowerInvariant())),
        DefaultValueFactory = _ => "grammar",
    };

    /// <summary>The setting named <paramref name="value"/>; an unknown or unsupported one is an error that names it.</summary>
    public static Setting ParseSetting(string? value, params Setting[] supported)
    {
        foreach (var s in supported)
            if (string.Equals(value, s.ToString(), StringComparison.OrdinalIgnoreCase)) return s;
        throw new InvalidConfigException($"--setting '{value}' must be {string.Join(" or ", supported.Select(s => s.ToString().ToLowerInvariant()))} here");
    }
}

/// <summary>The paper's three settings: grammar run folders, compiled (Tracr) model folders, story model folders.</summary>
internal enum Setting
{
    /// <summary>The grammar tasks (run folders with checkpoints).</summary>
    Grammar,
    /// <summary>Tracr-compiled models.</summary>
    Tracr,
    /// <summary>TinyStories-style language models.</summary>
    Stories,
}
