using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Model;

/// <summary>
/// Hands out tensors from one device buffer: first every size is declared, then one allocation backs them all.
/// Used for activations, so a training step allocates nothing.
/// </summary>
internal sealed class TensorArena : IDisposable
{
    private readonly List<(int Offset, int[] Shape)> _pending = [];
    private int _length;
    private DeviceBuffer<float>? _buffer;

    /// <summary>Reserves a tensor of <paramref name="shape"/>; returns its index for <see cref="Get"/>.</summary>
    public int Reserve(params int[] shape)
    {
        if (_buffer is not null) throw new InvalidOperationException("the arena is already allocated");
        // MemoryEstimate caps the arenas before they are built; checked turns a missed case into an error, not a wrapped size.
        int length = 1;
        foreach (int d in shape) length = checked(length * d);
        _pending.Add((_length, shape));
        _length = checked(_length + (length + 15) / 16 * 16);
        return _pending.Count - 1;
    }

    /// <summary>Allocates the single backing buffer.</summary>
    public void Allocate(IBackend backend) => _buffer = backend.Allocate(Math.Max(_length, 1));

    /// <summary>The tensor reserved under <paramref name="index"/>.</summary>
    public Tensor Get(int index)
    {
        var (offset, shape) = _pending[index];
        return new Tensor(_buffer ?? throw new InvalidOperationException("the arena is not allocated"), offset, shape);
    }

    /// <summary>Total floats held.</summary>
    public long Length => _length;

    public void Dispose() => _buffer?.Dispose();
}
