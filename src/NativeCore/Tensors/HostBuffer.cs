namespace NativeCore.Tensors;

/// <summary>
/// A buffer in pinned host memory. Pinned, so that SIMD kernels can hold raw pointers into it while the GC runs.
/// Used by the <c>cpu</c> and <c>reference</c> backends.
/// </summary>
public sealed class HostBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    /// <summary>Allocates <paramref name="length"/> zeroed elements.</summary>
    public HostBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Array = GC.AllocateArray<T>(length, pinned: true);
    }

    /// <summary>The pinned storage.</summary>
    public T[] Array { get; }

    /// <inheritdoc />
    public override int Length => Array.Length;

    /// <inheritdoc />
    public override void CopyFromHost(ReadOnlySpan<T> source, int offset = 0) => source.CopyTo(Array.AsSpan(offset));

    /// <inheritdoc />
    public override void CopyToHost(Span<T> destination, int offset = 0) => Array.AsSpan(offset, destination.Length).CopyTo(destination);
}
