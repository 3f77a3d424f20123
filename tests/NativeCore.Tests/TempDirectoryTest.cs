namespace NativeCore.Tests;

/// <summary>A test class with its own temporary folder, deleted after the class's tests.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    /// <summary>The folder.</summary>
    protected string Root { get; } = Directory.CreateTempSubdirectory("nativecore-test-").FullName;

    /// <summary>A path inside the folder.</summary>
    protected string Dir(string name) => Path.Combine(Root, name);

    /// <summary>Deletes the folder.</summary>
    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }
}
