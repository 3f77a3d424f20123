using System.Globalization;
using CsCheck;

namespace NativeCore.Tests.Fuzz;

/// <summary>
/// One change to a file's bytes. Positions wrap modulo the current length, so edits still land inside the file after
/// an earlier edit of the same case truncated it.
/// </summary>
internal abstract record ByteEdit
{
    public abstract byte[] Apply(byte[] bytes);
}

internal sealed record FlipBit(int Position, int Bit) : ByteEdit
{
    public override byte[] Apply(byte[] bytes)
    {
        if (bytes.Length == 0) return bytes;
        var result = (byte[])bytes.Clone();
        result[Position % result.Length] ^= (byte)(1 << Bit);
        return result;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"flip bit {Bit} of byte {Position}");
}

internal sealed record SetByte(int Position, byte Value) : ByteEdit
{
    public override byte[] Apply(byte[] bytes)
    {
        if (bytes.Length == 0) return bytes;
        var result = (byte[])bytes.Clone();
        result[Position % result.Length] = Value;
        return result;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"set byte {Position} to 0x{Value:x2}");
}

internal sealed record Truncate(int Length) : ByteEdit
{
    public override byte[] Apply(byte[] bytes) => bytes[..Math.Min(Length, bytes.Length)];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"truncate to {Length} bytes");
}

internal sealed record InsertBytes(int Position, byte[] Bytes) : ByteEdit
{
    public override byte[] Apply(byte[] bytes)
    {
        int at = Position % (bytes.Length + 1);
        return [.. bytes.AsSpan(0, at), .. Bytes, .. bytes.AsSpan(at)];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"insert {Convert.ToHexStringLower(Bytes)} at byte {Position}");
}

internal sealed record DeleteBytes(int Position, int Count) : ByteEdit
{
    public override byte[] Apply(byte[] bytes)
    {
        if (bytes.Length == 0) return bytes;
        int at = Position % bytes.Length, n = Math.Min(Count, bytes.Length - at);
        return [.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + n)];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"delete {Count} bytes at byte {Position}");
}

/// <summary>CsCheck generators of byte edits.</summary>
internal static class ByteEdits
{
    // Bytes that parsers treat specially: quotes, brackets, separators, escapes, digits, a NUL, a newline, and the
    // start of a multi-byte UTF-8 sequence without its continuation.
    private static readonly byte[][] Interesting =
        [[(byte)'"'], [(byte)'{'], [(byte)'}'], [(byte)'['], [(byte)']'], [(byte)','], [(byte)':'], [(byte)'\\'], [(byte)'-'],
         [(byte)'9'], [(byte)'0'], [(byte)'e'], [0], [(byte)'\n'], [0xC3], [0xFF, 0xFE], "99999999999"u8.ToArray(), "null"u8.ToArray()];

    /// <summary>
    /// Edits of a file of <paramref name="length"/> bytes. When <paramref name="hot"/> is positive, positions fall in the
    /// first <paramref name="hot"/> bytes (a safetensors header, where a flip matters) three times as often.
    /// </summary>
    public static Gen<ByteEdit> Of(int length, int hot = 0)
    {
        int last = Math.Max(length - 1, 0);
        var position = hot > 0 && hot < length ? Gen.Frequency((3, Gen.Int[0, hot - 1]), (1, Gen.Int[0, last])) : Gen.Int[0, last];
        var inserted = Gen.Frequency((3, Gen.Byte.Array[1, 8]), (2, Gen.OneOf(Interesting)));
        return Gen.Frequency(
            (4, Gen.Select(position, Gen.Int[0, 7], (p, b) => (ByteEdit)new FlipBit(p, b))),
            (2, Gen.Select(position, Gen.Byte, (p, v) => (ByteEdit)new SetByte(p, v))),
            (2, Gen.Int[0, last].Select(n => (ByteEdit)new Truncate(n))),
            (2, Gen.Select(position, inserted, (p, bytes) => (ByteEdit)new InsertBytes(p, bytes))),
            (2, Gen.Select(position, Gen.Int[1, 16], (p, n) => (ByteEdit)new DeleteBytes(p, n))));
    }

    /// <summary>Applies <paramref name="edits"/> in order.</summary>
    public static byte[] ApplyAll(byte[] bytes, IEnumerable<ByteEdit> edits) => edits.Aggregate(bytes, (b, e) => e.Apply(b));
}
