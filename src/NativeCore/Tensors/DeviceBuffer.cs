namespace NativeCore.Tensors;

/// <summary>
/// A block of memory owned by one backend: host memory for <c>cpu</c>, accelerator memory for ILGPU.
/// Only the backend that made a buffer may run operations on it; everyone else moves data with the copy methods.
/// </summary>
/// <typeparam name="T">The element type: <see cref="float"/> for tensors, <see cref="int"/> for token ids.</typeparam>
public abstract class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    /// <summary>Number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>Copies <paramref name="source"/> into this buffer starting at element <paramref name="offset"/>.</summary>
    public abstract void CopyFromHost(ReadOnlySpan<T> source, int offset = 0);

    /// <summary>Copies elements starting at <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    public abstract void CopyToHost(Span<T> destination, int offset = 0);

    /// <summary>Returns the whole buffer as a new host array.</summary>
    public T[] ToArray()
    {
        var result = new T[Length];
        CopyToHost(result);
        return result;
    }

    /// <summary>Frees the memory.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the memory; called once from <see cref="Dispose()"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
