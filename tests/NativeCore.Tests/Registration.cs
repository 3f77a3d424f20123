using System.Runtime.CompilerServices;

namespace NativeCore.Tests;

/// <summary>Plugs the optional parts into the core before any test runs, as the command line does at start.</summary>
internal static class Registration
{
    [ModuleInitializer]
    internal static void Register() => NativeCore.Cli.Startup.Register();
}
