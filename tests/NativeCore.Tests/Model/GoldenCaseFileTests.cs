using NativeCore.Cli;
using NativeCore.Golden;
using NativeCore.IO;

namespace NativeCore.Tests.Model;

/// <summary>A golden case folder with bad inputs or expectations is refused by file and tensor before anything runs.</summary>
[Collection("Console")]
public sealed class GoldenCaseFileTests : TempDirectoryTest
{
    /// <summary>A copy of the tiny case (vocab_size 11, block_size 8).</summary>
    private string Copy()
    {
        string dir = Dir("case");
        Directory.CreateDirectory(dir);
        foreach (string f in Directory.GetFiles(SharedFolder.Golden("tiny"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    /// <summary>Rewrites inputs.safetensors with element <paramref name="index"/> of <paramref name="tensor"/> set to <paramref name="value"/>.</summary>
    private static string EditInput(string dir, string tensor, int index, int value)
    {
        string path = Path.Combine(dir, "inputs.safetensors");
        var tensors = Safetensors.Read(path).Tensors.Values.ToList();
        var t = tensors.Single(x => x.Name == tensor);
        int[] ids = t.ToInt32();
        ids[index] = value;
        tensors[tensors.IndexOf(t)] = SafeTensor.FromInt32(tensor, t.Shape, ids);
        Safetensors.Write(path, tensors);
        return path;
    }

    private static void Refused(string dir, string path, params string[] mentions)
    {
        var e = Assert.Throws<InvalidCheckpointException>(() => GoldenCase.Load(dir));
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        foreach (string m in mentions) Assert.Contains(m, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_copied_case_loads()
    {
        var golden = GoldenCase.Load(Copy());
        Assert.Equal(11, golden.Model.VocabSize);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void A_token_outside_the_vocabulary_is_refused_naming_position_and_value(int value)
    {
        string dir = Copy();
        string path = EditInput(dir, "tokens", 3, value);
        Refused(dir, path, "tokens[0,3]", $"= {value}", "[0, 11)");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(-2)]
    public void A_target_outside_the_vocabulary_is_refused_naming_position_and_value(int value)
    {
        string dir = Copy();
        string path = EditInput(dir, "targets", 2, value);
        Refused(dir, path, "targets[0,2]", $"= {value}");
    }

    [Fact]
    public void A_target_of_minus_one_is_still_allowed()
    {
        string dir = Copy();
        EditInput(dir, "targets", 2, -1);
        Assert.Equal(-1, GoldenCase.Load(dir).Targets[2]);
    }

    [Fact]
    public void Float_tokens_are_refused_naming_the_file()
    {
        string dir = Copy();
        string path = Path.Combine(dir, "inputs.safetensors");
        var tensors = Safetensors.Read(path).Tensors.Values.Select(t => t.Name == "tokens" ? SafeTensor.FromFloat32("tokens", t.Shape, t.ToInt32().Select(i => (float)i).ToArray()) : t).ToList();
        Safetensors.Write(path, tensors);
        Refused(dir, path, "'tokens'", "F32");
    }

    [Fact]
    public void An_expected_file_with_no_tensors_is_refused()
    {
        string dir = Copy();
        string path = Path.Combine(dir, "expected.safetensors");
        Safetensors.Write(path, []);
        Refused(dir, path, "holds no tensors");
    }

    [Fact]
    public void A_zero_byte_expected_file_is_refused()
    {
        string dir = Copy();
        string path = Path.Combine(dir, "expected.safetensors");
        File.WriteAllBytes(path, []);
        Refused(dir, path, "truncated");
    }

    [Fact]
    public void An_expected_tensor_of_no_known_kind_is_refused_naming_the_file()
    {
        string dir = Copy();
        string path = Path.Combine(dir, "expected.safetensors");
        var (tensors, meta) = Safetensors.Read(path);
        Safetensors.Write(path, [.. tensors.Values, SafeTensor.FromFloat32("bogus", [1], [0f])], meta);
        Refused(dir, path, "'bogus'");
    }

    [Fact]
    public void Verify_of_an_empty_expectation_exits_3_with_one_line()
    {
        string dir = Copy();
        string path = Path.Combine(dir, "expected.safetensors");
        Safetensors.Write(path, []);
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        int exit;
        try
        {
            exit = Program.Main(["verify", dir]);
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.Equal(ExitCodes.Format, exit);
        Assert.StartsWith($"error: {path}: holds no tensors", error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("grad.transformer.h.0.attn.c_attn.weight")]
    [InlineData("after_step.lm_head.weight")]
    [InlineData("logits")]
    public void A_case_that_omits_a_required_tensor_is_refused(string dropped)
    {
        string dir = Copy();
        string path = Path.Combine(dir, "expected.safetensors");
        var kept = Safetensors.Read(path).Tensors.Values.Where(t => t.Name != dropped).ToList();
        Assert.NotEqual(Safetensors.Read(path).Tensors.Count, kept.Count);   // the tensor existed
        Safetensors.Write(path, kept);
        Refused(dir, path, "missing", dropped);
    }

    [Fact]
    public void A_case_holding_only_the_loss_is_refused()
    {
        string dir = Copy();
        string path = Path.Combine(dir, "expected.safetensors");
        Safetensors.Write(path, Safetensors.Read(path).Tensors.Values.Where(t => t.Name == "loss").ToList());
        Refused(dir, path, "missing", "logits");
    }

    [Theory]
    [InlineData("1e9")]
    [InlineData("0")]
    [InlineData("-0.001")]
    public void An_absurd_tolerance_is_refused(string value)
    {
        string dir = Copy();
        string casePath = Path.Combine(dir, "case.json");
        string json = File.ReadAllText(casePath);
        File.WriteAllText(casePath, System.Text.RegularExpressions.Regex.Replace(json, "\"grad\": [0-9.e-]+", $"\"grad\": {value}"));
        var e = Assert.Throws<InvalidConfigException>(() => GoldenCase.Load(dir));
        Assert.Contains("tolerances.grad", e.Message, StringComparison.Ordinal);
        Assert.Contains(casePath, e.Message, StringComparison.Ordinal);
    }

    // Found by fuzzing: looking up a section of anything but an object threw InvalidOperationException.
    [Theory]
    [InlineData("\"BF16\"")]
    [InlineData("[1]")]
    [InlineData("2")]
    public void A_case_json_that_is_not_an_object_is_refused_naming_the_file(string json)
    {
        string dir = Copy();
        string path = Path.Combine(dir, "case.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidConfigException>(() => GoldenCase.Load(dir));
        Assert.StartsWith(path + ": must hold a JSON object", e.Message, StringComparison.Ordinal);
    }
}
