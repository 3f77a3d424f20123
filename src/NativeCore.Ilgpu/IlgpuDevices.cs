using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace NativeCore.Backends.Ilgpu;

/// <summary>Finds the ILGPU device behind each backend name, and says why one is missing.</summary>
internal static class IlgpuDevices
{
    /// <summary>Creates a context and an accelerator for <paramref name="kind"/> (cuda, opencl or ilgpu-cpu).</summary>
    public static (Context Context, Accelerator Accelerator) Open(string kind)
    {
        Context? context = null;
        try
        {
            switch (kind)
            {
                case "ilgpu-cpu":
                    context = Context.Create(b => b.CPU().EnableAlgorithms());
                    return (context, context.GetCPUDevice(0).CreateAccelerator(context));
                case "cuda":
                    context = Context.Create(b => b.Cuda().EnableAlgorithms());
                    if (context.GetCudaDevices().Count == 0) throw new BackendUnavailableException("cuda: no CUDA device found (is the NVIDIA driver loaded?)");
                    return (context, context.GetCudaDevice(0).CreateAccelerator(context));
                case "opencl":
                    context = Context.Create(b => b.OpenCL().EnableAlgorithms());
                    var devices = new List<CLDevice>();
                    foreach (CLDevice d in context.GetCLDevices()) devices.Add(d);
                    if (devices.Count == 0) throw new BackendUnavailableException("opencl: no OpenCL device found");
                    // ILGPU's OpenCL code generator emits generic-address-space pointers; devices without it (Debian 12's PoCL) cannot run the kernels.
                    var usable = devices.FirstOrDefault(d => d.Capabilities.GenericAddressSpace)
                        ?? throw new BackendUnavailableException($"opencl: no OpenCL device supports the generic address space that ILGPU needs (found: {string.Join(", ", devices.Select(d => d.Name))})");
                    return (context, usable.CreateAccelerator(context));
                default:
                    throw new BackendUnavailableException($"'{kind}' is not an ILGPU backend");
            }
        }
        catch (BackendUnavailableException)
        {
            context?.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            throw new BackendUnavailableException($"{kind}: {e.Message}");
        }
    }

    /// <summary>One line per ILGPU device this machine exposes, for <c>nativecore info</c>.</summary>
    public static IReadOnlyList<string> Describe()
    {
        try
        {
            using var context = Context.Create(b => b.AllAccelerators());
            return context.Devices.Select(d => $"{d.AcceleratorType}: {d.Name}, max group {d.MaxNumThreadsPerGroup}{(d.AcceleratorType == AcceleratorType.CPU ? "" : $", {d.MemorySize / (1 << 20)} MiB")}").ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [$"ILGPU device discovery failed: {e.Message}"];
        }
    }
}
