using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using NativeCore.IO;

namespace NativeCore.Tests.Fuzz;

/// <summary>A valid safetensors file taken apart: its header as a JSON tree and the data after it.</summary>
internal sealed class SafetensorsFile
{
    public SafetensorsFile(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Bytes = bytes;
        HeaderLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Header = JsonTree.Parse(Encoding.UTF8.GetString(bytes, 8, HeaderLength));
        Data = bytes[(8 + HeaderLength)..];
    }

    public byte[] Bytes { get; }

    public int HeaderLength { get; }

    public JsonTree Header { get; }

    public byte[] Data { get; }

    /// <summary>
    /// Whether <paramref name="mutated"/> holds the same tensors: a header of the same meaning and the same data bytes.
    /// A mutation that keeps both must load exactly as the original.
    /// </summary>
    public bool SameMeaning(byte[] mutated)
    {
        ArgumentNullException.ThrowIfNull(mutated);
        if (mutated.Length < 8) return false;
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(mutated);
        if (length > (ulong)(mutated.Length - 8)) return false;
        return JsonTree.SameMeaning(Bytes.AsSpan(8, HeaderLength), mutated.AsSpan(8, (int)length))
            && mutated.AsSpan(8 + (int)length).SequenceEqual(Data);
    }

    /// <summary>What a read returned, as text that two equal reads share: names, dtypes, shapes, data hashes, metadata.</summary>
    public static string Fingerprint((IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) read) =>
        Fingerprint(read.Tensors) + "|" + string.Join(",", read.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Tensors as text that two equal reads share.</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, SafeTensor> tensors) =>
        string.Join(";", tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            $"{kv.Key}:{kv.Value.DType}[{string.Join(",", kv.Value.Shape)}]{Convert.ToHexStringLower(SHA256.HashData(kv.Value.Data))}"));
}

/// <summary>
/// A mutation of a safetensors file: edits of its header JSON (written back with a correct length, so they reach the
/// checks behind the JSON parser), a new header-length field, then byte edits anywhere.
/// </summary>
internal sealed record SafetensorsMutation(JsonEdit[] Header, ulong? HeaderLength, ByteEdit[] Bytes)
{
    public byte[] Apply(SafetensorsFile original)
    {
        ArgumentNullException.ThrowIfNull(original);
        byte[] bytes = original.Bytes;
        if (Header.Length > 0)
        {
            var tree = original.Header.Clone();
            foreach (var e in Header) e.Apply(tree);
            byte[] header = Encoding.UTF8.GetBytes(tree.ToString());
            bytes = new byte[8 + header.Length + original.Data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
            header.CopyTo(bytes, 8);
            original.Data.CopyTo(bytes, 8 + header.Length);
        }
        if (HeaderLength is { } length && bytes.Length >= 8)
        {
            bytes = (byte[])bytes.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        }
        return ByteEdits.ApplyAll(bytes, Bytes);
    }

    /// <summary>Mutations of <paramref name="file"/>; byte edits hit its header three times as often as its data.</summary>
    public static Gen<SafetensorsMutation> Of(SafetensorsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var header = JsonEdits.Of(file.Header);
        var bytes = ByteEdits.Of(file.Bytes.Length, hot: 8 + file.HeaderLength);
        ulong actual = (ulong)file.HeaderLength;
        var length = Gen.Frequency(
            (2, Gen.OneOf(0UL, 1UL, 2UL, 7UL, (ulong)int.MaxValue, 1UL << 31, 1UL << 32, (ulong)long.MaxValue, 1UL << 63, ulong.MaxValue, (ulong)file.Bytes.Length, (ulong)file.Bytes.Length - 8)),
            (2, Gen.Int[-16, 16].Select(d => unchecked(actual + (ulong)(long)d))),
            (1, Gen.ULong));
        return Gen.Frequency(
            (4, header.Array[1, 2].Select(h => new SafetensorsMutation(h, null, []))),
            (4, bytes.Array[1, 3].Select(b => new SafetensorsMutation([], null, b))),
            (1, length.Select(l => new SafetensorsMutation([], l, []))),
            (1, Gen.Select(header.Array[1, 2], bytes.Array[1, 2], (h, b) => new SafetensorsMutation(h, null, b))));
    }

    public override string ToString() => string.Join("; ",
        Header.Select(h => $"header: {h}")
            .Concat(HeaderLength is { } l ? [string.Create(CultureInfo.InvariantCulture, $"header length field := {l}")] : [])
            .Concat(Bytes.Select(b => b.ToString())));
}
