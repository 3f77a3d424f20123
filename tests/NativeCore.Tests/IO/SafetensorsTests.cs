using System.Buffers.Binary;
using System.Text;
using NativeCore.IO;

namespace NativeCore.Tests.IO;

public sealed class SafetensorsTests : TempDirectoryTest
{

    private string Valid()
    {
        string path = Path.Combine(Root, "ok.safetensors");
        Safetensors.Write(path,
        [
            SafeTensor.FromFloat32("weight", [2, 3], [1, 2, 3, 4, 5, 6]),
            SafeTensor.FromInt32("ids", [4], [7, 8, 9, 10]),
            SafeTensor.FromFloat64("scale", [1], [0.5]),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        return path;
    }

    /// <summary>A file with a hand-written header and <paramref name="dataBytes"/> zero bytes of data.</summary>
    private string Raw(string name, string header, int dataBytes, long? claimedHeaderLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(claimedHeaderLength ?? h.Length));
        h.CopyTo(bytes, 8);
        string path = Path.Combine(Root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void Rejected(string path, params string[] mentions)
    {
        var e = Assert.Throws<InvalidCheckpointException>(() => Safetensors.Read(path));
        Assert.Contains(path, e.Message);
        foreach (string m in mentions) Assert.Contains(m, e.Message);
    }

    [Fact]
    public void Round_trips_every_dtype_and_metadata()
    {
        var (tensors, meta) = Safetensors.Read(Valid());
        Assert.Equal([1f, 2, 3, 4, 5, 6], tensors["weight"].ToFloat32());
        Assert.Equal([2, 3], tensors["weight"].Shape);
        Assert.Equal([7, 8, 9, 10], tensors["ids"].ToInt32());
        Assert.Equal([0.5f], tensors["scale"].ToFloat32());
        Assert.Equal("pt", meta["format"]);
    }

    [Fact]
    public void Truncated_file_is_rejected_naming_the_tensor()
    {
        string path = Valid();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^6]);
        Rejected(path, "'scale'", "past the");
    }

    [Fact]
    public void File_shorter_than_the_length_prefix_is_rejected()
    {
        string path = Path.Combine(Root, "tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Rejected(path, "truncated");
    }

    [Fact]
    public void Header_length_past_the_end_is_rejected() =>
        Rejected(Raw("hdr.safetensors", "{}", 0, claimedHeaderLength: 4096), "header length 4096");

    [Fact]
    public void Overlapping_offsets_are_rejected_naming_both_tensors() =>
        Rejected(Raw("overlap.safetensors",
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12),
            "'a'", "'b'", "overlaps");

    [Fact]
    public void Wrong_dtype_size_is_rejected_naming_the_tensor() =>
        Rejected(Raw("size.safetensors", """{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", 20), "'w'", "24 bytes");

    [Fact]
    public void Bad_json_is_rejected() =>
        Rejected(Raw("json.safetensors", """{"w":{"dtype":"F32",""", 0), "not valid JSON");

    [Fact]
    public void Unknown_dtype_is_rejected_naming_the_tensor() =>
        Rejected(Raw("dtype.safetensors", """{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}""", 1), "'w'", "Q7");

    [Fact]
    public void Shape_whose_element_count_overflows_is_rejected_naming_the_tensor() =>
        Rejected(Raw("overflow.safetensors",
            """{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647,2147483647],"data_offsets":[0,16]}}""", 16),
            "'w'", "[2147483647,2147483647,2147483647,2147483647]");

    [Fact]
    public void A_zero_dimension_after_huge_ones_is_an_empty_tensor()
    {
        var (tensors, _) = Safetensors.Read(Raw("empty.safetensors",
            """{"w":{"dtype":"F32","shape":[2147483647,2147483647,0],"data_offsets":[0,0]}}""", 0));
        Assert.Equal(0, tensors["w"].ElementCount);
    }

    [Fact]
    public void Invalid_utf8_in_a_tensor_name_is_rejected()
    {
        string path = Raw("utf8.safetensors", """{"wXX":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4);
        var bytes = File.ReadAllBytes(path);
        int at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xFF;
        bytes[at + 1] = 0xFE;
        File.WriteAllBytes(path, bytes);
        Rejected(path, "UTF-8");
    }

    [Fact]
    public void Invalid_utf8_in_metadata_is_rejected()
    {
        string path = Raw("utf8meta.safetensors", """{"__metadata__":{"format":"pX"}}""", 0);
        var bytes = File.ReadAllBytes(path);
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xC3;
        File.WriteAllBytes(path, bytes);
        Rejected(path, "UTF-8");
    }

    [Fact]
    public void Byte_size_not_matching_the_offsets_is_rejected_naming_the_tensor() =>
        Rejected(Raw("i64.safetensors", """{"ids":{"dtype":"I64","shape":[3],"data_offsets":[0,12]}}""", 12), "'ids'", "24 bytes", "span 12");

    [Fact]
    public void Duplicate_tensor_name_is_rejected_naming_it() =>
        Rejected(Raw("dup.safetensors",
            """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8),
            "'w'", "twice");

    [Fact]
    public void Negative_dimension_is_rejected_naming_the_tensor() =>
        Rejected(Raw("neg.safetensors", """{"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]}}""", 16), "'w'", "-1");

    [Fact]
    public void Offsets_past_the_end_of_the_file_are_rejected_naming_the_tensor() =>
        Rejected(Raw("past.safetensors", """{"w":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", 16), "'w'", "24", "past the 16 data bytes");

    [Fact]
    public void Offsets_that_are_not_numbers_are_rejected_naming_the_tensor() =>
        Rejected(Raw("offstr.safetensors", """{"w":{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}}""", 4), "'w'", "data_offsets");

    [Fact]
    public void An_int64_value_outside_int32_is_refused_naming_the_tensor()
    {
        var t = new SafeTensor("ids", SafeDType.I64, [1], BitConverter.GetBytes(1L << 40));
        var e = Assert.Throws<InvalidCheckpointException>(() => t.ToInt32());
        Assert.Contains("'ids'", e.Message, StringComparison.Ordinal);
        Assert.Contains((1L << 40).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_an_input_error_naming_it()
    {
        string path = Path.Combine(Root, "absent.safetensors");
        var e = Assert.Throws<MissingInputException>(() => Safetensors.Read(path));
        Assert.Equal(ExitCodes.InputOutput, e.ExitCode);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_weights_with_a_wrong_shape_names_the_tensor_and_loads_nothing()
    {
        using var be = Backends.BackendRegistry.Create("cpu");
        var config = new NativeCore.Model.GptConfig { NLayer = 1, NHead = 2, NEmbd = 8, BlockSize = 4, VocabSize = 5 };
        using var model = new NativeCore.Model.Gpt(be, config);
        model.InitializeWeights(1);
        var before = model.Parameters.ToArray();
        var tensors = NativeCore.Model.GptWeights.Export(model).ToDictionary(t => t.Name);
        tensors["transformer.h.0.mlp.c_fc.weight"] = SafeTensor.FromFloat32("transformer.h.0.mlp.c_fc.weight", [8, 8], new float[64]);
        tensors["transformer.wte.weight"] = SafeTensor.FromFloat32("transformer.wte.weight", [5, 8], Enumerable.Repeat(9f, 40).ToArray());
        var e = Assert.Throws<InvalidCheckpointException>(() => NativeCore.Model.GptWeights.Load(model, tensors, "model.safetensors"));
        Assert.Contains("transformer.h.0.mlp.c_fc.weight", e.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    // Found by fuzzing: valid UTF-8 and valid JSON, but an escape of a lone UTF-16 surrogate is no text, and reading
    // it threw InvalidOperationException.
    [Theory]
    [InlineData("""{"t":{"dtype":"\ud800","shape":[1],"data_offsets":[0,4]}}""")]
    [InlineData("""{"\udc00x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""")]
    [InlineData("""{"__metadata__":{"format":"\ud800"},"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""")]
    public void A_string_escaping_a_lone_surrogate_is_refused_naming_the_file(string header)
    {
        Rejected(Raw("surrogate.safetensors", header, 4), "header holds a string that is not valid text");
    }
}
