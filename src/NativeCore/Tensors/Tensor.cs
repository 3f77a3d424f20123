namespace NativeCore.Tensors;

/// <summary>
/// A float32 view with a shape over part of a <see cref="DeviceBuffer{T}"/>. Views are cheap and never own memory,
/// so many of them (the named parameters, say) share one buffer.
/// </summary>
public readonly struct Tensor
{
    /// <summary>Creates a view of <paramref name="shape"/> elements starting at <paramref name="offset"/>.</summary>
    public Tensor(DeviceBuffer<float> buffer, int offset, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Buffer = buffer;
        Offset = offset;
        Shape = shape;
        long length = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape [{string.Join(",", shape)}]", nameof(shape));
            length *= d;
        }
        if (offset < 0 || offset + length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"view [{offset}, {offset + length}) lies outside a buffer of {buffer.Length}");
        Length = (int)length;
    }

    /// <summary>The buffer this view reads and writes.</summary>
    public DeviceBuffer<float> Buffer { get; }

    /// <summary>First element of the view inside <see cref="Buffer"/>.</summary>
    public int Offset { get; }

    /// <summary>Dimensions, outermost first (row-major).</summary>
    public int[] Shape { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>The shape as text, for messages: <c>[3,8,16]</c>.</summary>
    public string ShapeText => "[" + string.Join(",", Shape) + "]";

    /// <summary>Reinterprets the same elements with another shape of equal size.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var t = new Tensor(Buffer, Offset, shape);
        if (t.Length != Length) throw new ArgumentException($"cannot reshape {ShapeText} to [{string.Join(",", shape)}]");
        return t;
    }

    /// <summary>Copies the view's elements to a new host array.</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        Buffer.CopyToHost(result, Offset);
        return result;
    }

    /// <summary>Overwrites the view's elements from host memory.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != Length) throw new ArgumentException($"source has {source.Length} elements, view {ShapeText} has {Length}");
        Buffer.CopyFromHost(source, Offset);
    }
}
