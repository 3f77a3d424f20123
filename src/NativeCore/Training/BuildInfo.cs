using System.Reflection;

namespace NativeCore.Training;

/// <summary>The NativeCore version and commit this binary was built from, for lineage records.</summary>
public static class BuildInfo
{
    private static readonly string Informational = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version, without the commit.</summary>
    public static string Version => Informational.Split('+')[0];

    /// <summary>The git commit (from the build), or "unknown" where the build had no git.</summary>
    public static string Commit => Informational.Contains('+', StringComparison.Ordinal) ? Informational.Split('+')[1] : "unknown";
}
