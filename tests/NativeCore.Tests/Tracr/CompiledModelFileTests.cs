using System.Text.Json.Nodes;
using NativeCore.Tracr;

namespace NativeCore.Tests.Tracr;

/// <summary>A tracr.json that does not match its weights is refused by name, never scored.</summary>
public sealed class CompiledModelFileTests : TempDirectoryTest
{
    private string Saved()
    {
        string dir = Dir("compiled");
        TracrPrograms.Compile("counter", new TracrOptions(8, 100)).Save(dir);
        return dir;
    }

    private static void Edit(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, CompiledModel.SidecarName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    [Fact]
    public void A_saved_model_loads()
    {
        var m = CompiledModel.Load(Saved());
        Assert.Equal(m.Config.OutputSize, m.OutputValues.Count);
    }

    [Theory]
    [InlineData("output_values")]
    [InlineData("input_tokens")]
    public void A_label_list_shorter_than_the_model_is_refused(string field)
    {
        string dir = Saved();
        Edit(dir, j => j[field]!.AsArray().RemoveAt(0));
        var e = Assert.Throws<InvalidCheckpointException>(() => CompiledModel.Load(dir));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("n_embd", 0)]
    [InlineData("n_embd", 100_000_000)]
    [InlineData("vocab_size", int.MaxValue)]
    public void A_model_shape_that_cannot_work_is_refused_naming_the_file(string field, int value)
    {
        string dir = Saved();
        Edit(dir, j => j["model"]![field] = value);
        var e = Assert.Throws<InvalidCheckpointException>(() => CompiledModel.Load(dir));
        Assert.StartsWith(Path.Combine(dir, CompiledModel.SidecarName) + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{field}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("residual")]
    [InlineData("output_values")]
    public void A_null_section_is_refused_by_name(string field)
    {
        string dir = Saved();
        Edit(dir, j => j[field] = null);
        var e = Assert.Throws<InvalidCheckpointException>(() => CompiledModel.Load(dir));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_integer_weight_tensor_is_refused_naming_the_file()
    {
        // Found by fuzzing: the dtype error came from the tensor, which does not know its file.
        string dir = Saved();
        string weights = Path.Combine(dir, "model.safetensors");
        var tensors = NativeCore.IO.Safetensors.Read(weights).Tensors.Values
            .Select(t => t.Name == "lm_head.weight" ? t with { DType = NativeCore.IO.SafeDType.I32 } : t).ToList();
        NativeCore.IO.Safetensors.Write(weights, tensors);
        var e = Assert.Throws<InvalidCheckpointException>(() => CompiledModel.Load(dir));
        Assert.StartsWith(weights + ": tensor 'lm_head.weight' has dtype I32", e.Message, StringComparison.Ordinal);
    }
}
