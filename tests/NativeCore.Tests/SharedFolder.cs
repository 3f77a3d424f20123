namespace NativeCore.Tests;

/// <summary>
/// Finds ../shared beside the repository (golden cases, anchors). CI lays it there; NATIVECORE_SHARED overrides it.
/// A missing folder fails the tests that need it rather than skipping them.
/// </summary>
internal static class SharedFolder
{
    public static string Path
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("NATIVECORE_SHARED");
            if (!string.IsNullOrEmpty(env)) return env;
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "NativeCore.sln"))) dir = dir.Parent;
            Assert.True(dir is not null, "cannot find the repository root (NativeCore.sln) above " + AppContext.BaseDirectory);
            string shared = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir!.FullName, "..", "shared"));
            Assert.True(Directory.Exists(shared), $"shared folder not found at {shared}; set NATIVECORE_SHARED");
            return shared;
        }
    }

    public static string Golden(string name) => System.IO.Path.Combine(Path, "golden", name);

    public static IEnumerable<string> GoldenCases() =>
        Directory.GetDirectories(System.IO.Path.Combine(Path, "golden")).Where(d => File.Exists(System.IO.Path.Combine(d, "case.json"))).Order(StringComparer.Ordinal);
}
