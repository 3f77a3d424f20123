namespace NativeCore.Backends.Cpu;

/// <summary>
/// An (array, offset, length) triple over pinned host memory. Unlike a span it can be captured by the lambdas
/// that Parallel.For runs.
/// </summary>
internal readonly record struct HostView(float[] Array, int Offset, int Length)
{
    public Span<float> Span => Array.AsSpan(Offset, Length);

    public Span<float> Slice(int start, int length) => Array.AsSpan(Offset + start, length);
}
