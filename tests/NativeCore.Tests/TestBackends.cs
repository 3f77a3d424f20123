using NativeCore.Backends;

namespace NativeCore.Tests;

/// <summary>
/// The backends every op test runs on: all of <see cref="BackendRegistry.Names"/>. A backend whose device is missing
/// here (cuda, opencl) makes its tests skip with the reason the registry gives.
/// </summary>
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

    /// <summary>Creates the backend, or skips the calling test with the reason it is unavailable.</summary>
    public static IBackend Create(string name)
    {
        try
        {
            return BackendRegistry.Create(name);
        }
        catch (BackendUnavailableException e)
        {
            throw new SkipException($"backend {name} unavailable: {e.Message}");
        }
    }

    /// <summary>ILGPU's CPU emulator: correct but about 0.5 GFLOP/s, so its tests keep to tiny shapes.</summary>
    public static bool IsEmulator(string name) => name == "ilgpu-cpu";
}
