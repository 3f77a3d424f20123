using NativeCore.Backends;

namespace NativeCore.Tests;

/// <summary>The backends every op test runs on: all that <see cref="BackendRegistry"/> can create on this machine.</summary>
public static class TestBackends
{
    /// <summary>xunit member data: one row per backend name.</summary>
    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in BackendRegistry.Names) data.Add(name);
            return data;
        }
    }
}
