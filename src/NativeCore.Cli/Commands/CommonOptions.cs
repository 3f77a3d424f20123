using System.CommandLine;
using NativeCore.Backends;
using NativeCore.Ledger;

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

    /// <summary>The <c>--setting</c> option of a command that starts a new run in one of <paramref name="supported"/> (grammar by default).</summary>
    public static Option<string> Setting(params Setting[] supported) => new("--setting")
    {
        Description = "Which of the paper's settings: " + string.Join(", ", supported.Select(s => s.ToString().ToLowerInvariant())),
        DefaultValueFactory = _ => "grammar",
    };

    /// <summary>The <c>--setting</c> option of a command on an existing model: the model folder says its setting, so the option is only a check.</summary>
    public static Option<string?> ModelSetting(params Setting[] supported) => new("--setting")
    {
        Description = "Which of the paper's settings (" + string.Join(", ", supported.Select(s => s.ToString().ToLowerInvariant())) + "); read from the model folder when left out",
    };

    /// <summary>
    /// The setting of the model at <paramref name="modelPath"/>, read from its folder; <paramref name="given"/>, when
    /// set, must agree. An unsupported setting, or a disagreement, is an error that names both.
    /// </summary>
    public static Setting OfModel(string? given, string modelPath, params Setting[] supported)
    {
        var found = LineageReader.SettingOf(modelPath) switch
        {
            LineageSetting.Tracr => Commands.Setting.Tracr,
            LineageSetting.Stories => Commands.Setting.Stories,
            _ => Commands.Setting.Grammar,
        };
        if (given is not null)
        {
            var asked = ParseSetting(given, supported);
            if (asked != found && (found != Commands.Setting.Grammar || Directory.Exists(modelPath)))
                throw new InvalidConfigException($"--setting {given}: {modelPath} holds a {found.ToString().ToLowerInvariant()} model");
            return asked;
        }
        if (!supported.Contains(found))
            throw new InvalidConfigException($"{modelPath} holds a {found.ToString().ToLowerInvariant()} model; this command serves {string.Join(" and ", supported.Select(s => s.ToString().ToLowerInvariant()))} models");
        return found;
    }

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
