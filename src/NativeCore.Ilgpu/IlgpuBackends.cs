namespace NativeCore.Backends.Ilgpu;

/// <summary>Makes the ILGPU backends known to <see cref="BackendRegistry"/> by name.</summary>
public static class IlgpuBackends
{
    /// <summary>The names of the backends that run the ILGPU kernels.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ilgpu-cpu", "cuda", "opencl"];

    /// <summary>Registers ilgpu-cpu, cuda and opencl, and the ILGPU device list that <c>info</c> prints; calling it again does nothing.</summary>
    public static void Register()
    {
        foreach (string name in Names) BackendRegistry.Register(name, () => new IlgpuBackend(name), BackendRegistry.IlgpuGroup);
        BackendRegistry.RegisterDeviceLister(IlgpuDevices.Describe);
    }
}
