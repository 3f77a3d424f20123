using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace NativeCore.IO;

/// <summary>Element types NativeCore reads and writes in safetensors files.</summary>
public enum SafeDType
{
    /// <summary>32-bit float.</summary>
    F32,
    /// <summary>64-bit float.</summary>
    F64,
    /// <summary>32-bit signed integer.</summary>
    I32,
    /// <summary>64-bit signed integer.</summary>
    I64,
}

/// <summary>One tensor of a safetensors file: its type, shape and raw little-endian bytes.</summary>
public sealed record SafeTensor(string Name, SafeDType DType, int[] Shape, byte[] Data)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The values as float32 (F32 as is, F64 narrowed).</summary>
    public float[] ToFloat32() => DType switch
    {
        SafeDType.F32 => MemoryMarshal.Cast<byte, float>(Data).ToArray(),
        SafeDType.F64 => Array.ConvertAll(MemoryMarshal.Cast<byte, double>(Data).ToArray(), d => (float)d),
        _ => throw new InvalidCheckpointException($"tensor '{Name}' has dtype {DType}, expected a float type"),
    };

    /// <summary>The values as int32 (I32 as is, I64 narrowed with a range check).</summary>
    public int[] ToInt32() => DType switch
    {
        SafeDType.I32 => MemoryMarshal.Cast<byte, int>(Data).ToArray(),
        SafeDType.I64 => Array.ConvertAll(MemoryMarshal.Cast<byte, long>(Data).ToArray(),
            l => l is >= int.MinValue and <= int.MaxValue ? (int)l : throw new InvalidCheckpointException($"tensor '{Name}' holds {l}, outside the int32 range")),
        _ => throw new InvalidCheckpointException($"tensor '{Name}' has dtype {DType}, expected an integer type"),
    };

    /// <summary>A float32 tensor.</summary>
    public static SafeTensor FromFloat32(string name, int[] shape, ReadOnlySpan<float> values) =>
        new(name, SafeDType.F32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>A float64 tensor.</summary>
    public static SafeTensor FromFloat64(string name, int[] shape, ReadOnlySpan<double> values) =>
        new(name, SafeDType.F64, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An int32 tensor.</summary>
    public static SafeTensor FromInt32(string name, int[] shape, ReadOnlySpan<int> values) =>
        new(name, SafeDType.I32, shape, MemoryMarshal.AsBytes(values).ToArray());
}

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of JSON, then the raw data.
/// Reading validates everything before returning anything, so a bad file never yields a partial model.
/// </summary>
public static class Safetensors
{
    /// <summary>Largest header accepted; real headers are kilobytes.</summary>
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>Size of one element of <paramref name="dtype"/> in bytes.</summary>
    public static int ElementSize(SafeDType dtype) => dtype switch
    {
        SafeDType.F32 or SafeDType.I32 => 4,
        _ => 8,
    };

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    /// <exception cref="InvalidCheckpointException">The file is missing or malformed; the message names the file and tensor.</exception>
    public static (IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new MissingInputException(Directory.Exists(path) ? $"{path} is a folder, not a safetensors file" : $"{path}: file not found");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new InvalidCheckpointException($"{path}: cannot read: {e.Message}");
        }
        return Parse(bytes, path);
    }

    /// <summary>Validates and parses a whole file held in memory; <paramref name="source"/> names it in errors.</summary>
    public static (IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 8) throw new InvalidCheckpointException($"{source}: truncated: {bytes.Length} bytes, shorter than the 8-byte header length");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLen > (ulong)(bytes.Length - 8))
            throw new InvalidCheckpointException($"{source}: header length {headerLen} runs past the end of the file ({bytes.Length} bytes)");
        if ((long)headerLen > MaxHeaderBytes) throw new InvalidCheckpointException($"{source}: header length {headerLen} is implausibly large");
        int dataStart = 8 + (int)headerLen;
        long dataLen = bytes.Length - dataStart;

        // The JSON reader checks UTF-8 only when a string is read, and then throws InvalidOperationException.
        var header = bytes.AsMemory(8, (int)headerLen);
        if (!Utf8.IsValid(header.Span))
            throw new InvalidCheckpointException($"{source}: header is not valid UTF-8 (a tensor name, dtype or metadata string holds bytes that are not UTF-8)");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{source}: header is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            try
            {
                return ParseHeader(doc, bytes, dataStart, dataLen, source);
            }
            catch (InvalidOperationException e)
            {
                // Valid UTF-8 can still escape a lone UTF-16 surrogate ("\ud800"); the JSON reader accepts it and
                // throws only when the name or string is read. Every other element access here checks the kind first.
                throw new InvalidCheckpointException($"{source}: header holds a string that is not valid text: {e.Message}");
            }
        }
    }

    private static (IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) ParseHeader(JsonDocument doc, byte[] bytes, int dataStart, long dataLen, string source)
    {
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidCheckpointException($"{source}: header JSON is not an object");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, SafeDType DType, int[] Shape, long Begin, long End)>();
        // JSON allows a repeated key and the parser keeps both; a repeated tensor would silently replace the first.
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (!names.Add(prop.Name)) throw new InvalidCheckpointException($"{source}: '{prop.Name}' appears twice in the header");
            if (prop.Name == "__metadata__")
            {
                if (prop.Value.ValueKind != JsonValueKind.Object) throw new InvalidCheckpointException($"{source}: __metadata__ is not an object");
                foreach (var m in prop.Value.EnumerateObject())
                {
                    if (m.Value.ValueKind != JsonValueKind.String) throw new InvalidCheckpointException($"{source}: __metadata__.{m.Name} is not a string");
                    metadata[m.Name] = m.Value.GetString()!;
                }
                continue;
            }
            entries.Add(ParseEntry(prop, source, dataLen));
        }

        entries.Sort((x, y) => x.Begin.CompareTo(y.Begin));
        for (int i = 1; i < entries.Count; i++)
        {
            if (entries[i].Begin < entries[i - 1].End)
                throw new InvalidCheckpointException($"{source}: tensor '{entries[i].Name}' [{entries[i].Begin}, {entries[i].End}) overlaps tensor '{entries[i - 1].Name}' [{entries[i - 1].Begin}, {entries[i - 1].End})");
        }

        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var e in entries)
            tensors[e.Name] = new SafeTensor(e.Name, e.DType, e.Shape, bytes.AsSpan(dataStart + (int)e.Begin, (int)(e.End - e.Begin)).ToArray());
        return (tensors, metadata);
    }

    private static (string, SafeDType, int[], long, long) ParseEntry(JsonProperty prop, string source, long dataLen)
    {
        string name = prop.Name;
        string where = $"{source}: tensor '{name}'";
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw new InvalidCheckpointException($"{where}: entry is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw new InvalidCheckpointException($"{where}: missing dtype");
        if (!Enum.TryParse<SafeDType>(dt.GetString(), ignoreCase: false, out var dtype) || !Enum.IsDefined(dtype))
            throw new InvalidCheckpointException($"{where}: unsupported dtype '{dt.GetString()}' (supported: F32, F64, I32, I64)");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw new InvalidCheckpointException($"{where}: missing shape");
        var shape = new List<int>();
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw new InvalidCheckpointException($"{where}: shape holds an invalid dimension {d.GetRawText()}");
            shape.Add(dim);
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new InvalidCheckpointException($"{where}: data_offsets must be [begin, end]");
        if (off[0].ValueKind != JsonValueKind.Number || off[1].ValueKind != JsonValueKind.Number
            || !off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new InvalidCheckpointException($"{where}: invalid data_offsets {off.GetRawText()}");
        if (end > dataLen) throw new InvalidCheckpointException($"{where}: data_offsets end {end} lies past the {dataLen} data bytes (file truncated?)");
        // The span is at most dataLen (< 2^31) bytes, so once the product passes it the shape cannot fit; stopping there
        // keeps the product below 2^62, where a shape of large dimensions would otherwise overflow.
        long count = shape.Contains(0) ? 0 : 1;
        foreach (int d in shape)
        {
            if (count > dataLen) break;
            count *= d;
        }
        if (count > dataLen)
            throw new InvalidCheckpointException($"{where}: shape [{string.Join(",", shape)}] holds more elements than the file's {dataLen} data bytes");
        long expected = count * ElementSize(dtype);
        if (expected != end - begin)
            throw new InvalidCheckpointException($"{where}: shape [{string.Join(",", shape)}] × {dtype} ({ElementSize(dtype)} bytes) = {expected} bytes, but data_offsets span {end - begin}");
        return (name, dtype, shape.ToArray(), begin, end);
    }

    /// <summary>Writes <paramref name="tensors"/> (in order) atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        using var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, val) in metadata) w.WriteString(k, val);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in list)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.ToString());
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.Data.Length;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data starts aligned, as the reference writer does.
        int pad = (int)((8 - header.Length % 8) % 8);
        byte[] headerBytes = [.. header.ToArray(), .. Enumerable.Repeat((byte)' ', pad)];
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
            s.Write(len);
            s.Write(headerBytes);
            foreach (var t in list) s.Write(t.Data);
        });
    }

}
