using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using NativeCore.Tensors;

namespace NativeCore.Backends.Ilgpu;

/// <summary>A buffer in an ILGPU accelerator's memory.</summary>
internal sealed class IlgpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private readonly Accelerator _accelerator;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _memory;

    public IlgpuBuffer(Accelerator accelerator, int length)
    {
        _accelerator = accelerator;
        Length = length;
        // ILGPU cannot allocate zero elements; keep one spare element and report the requested length.
        _memory = accelerator.Allocate1D<T>(Math.Max(length, 1));
        _memory.MemSetToZero();
        accelerator.Synchronize();
    }

    public override int Length { get; }

    /// <summary>The whole buffer as a contiguous view.</summary>
    public ArrayView<T> View => _memory.AsContiguous();

    public override void CopyFromHost(ReadOnlySpan<T> source, int offset = 0)
    {
        if (source.IsEmpty) return;
        _accelerator.Synchronize();
        View.SubView(offset, source.Length).CopyFromCPU(ref MemoryMarshal.GetReference(source), source.Length);
    }

    public override void CopyToHost(Span<T> destination, int offset = 0)
    {
        if (destination.IsEmpty) return;
        _accelerator.Synchronize();
        View.SubView(offset, destination.Length).CopyToCPU(ref MemoryMarshal.GetReference(destination), destination.Length);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _memory.Dispose();
        base.Dispose(disposing);
    }
}
