using NativeCore.Experiments;

namespace NativeCore.Tests.Experiments;

/// <summary>
/// A preset file or <c>--set</c> override that cannot work is refused with <see cref="InvalidConfigException"/> naming
/// the file or key. Each case was found by fuzzing, where it threw another exception or named neither.
/// </summary>
public sealed class PresetFileTests : TempDirectoryTest
{
    private string Preset(string find, string replace)
    {
        string path = Dir("preset.json");
        string json = ConfigLoader.ToJson(ConfigLoader.Load("smoke"));
        Assert.Contains(find, json, StringComparison.Ordinal);
        File.WriteAllText(path, json.Replace(find, replace, StringComparison.Ordinal));
        return path;
    }

    [Theory]
    // A range error named the field but not the file it was in.
    [InlineData("\"steps\": 40", "\"steps\": 0", "pretrain.steps must be positive")]
    // A lone surrogate escape is valid JSON but no text; reading it threw InvalidOperationException.
    [InlineData("\"backend\": \"cpu\"", "\"backend\": \"\\ud800\"", "")]
    public void A_preset_file_that_cannot_work_is_refused_naming_the_file(string find, string replace, string what)
    {
        string path = Preset(find, replace);
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load(path));
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_preset_file_that_cannot_be_read_is_refused_naming_the_file_when_overrides_are_given_too()
    {
        // Found by fuzzing: overrides applied to a RunConfig read from the file wrote its 1e400 (read as infinity) back
        // as JSON, which threw ArgumentException; they go into the file's JSON instead.
        string path = Preset("\"lr\": 0.003", "\"lr\": 1e400");
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load(path, ["pretrain.steps=5"]));
        Assert.StartsWith(path + ": pretrain.lr must be a positive number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_a_section_the_preset_file_leaves_out_can_be_set()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(ConfigLoader.ToJson(ConfigLoader.Load("smoke")))!.AsObject();
        json.Remove("eval");
        string path = Dir("preset.json");
        File.WriteAllText(path, json.ToJsonString());
        Assert.Equal(new EvalConfig { Size = 16 }, ConfigLoader.Load(path, ["eval.size=16"]).Eval);
    }

    [Fact]
    public void An_infinite_element_in_a_number_list_override_is_refused_naming_the_key()
    {
        // It was accepted, and serialising the config threw ArgumentException.
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", ["grid.ctrs=Infinity"]));
        Assert.Contains("grid.ctrs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_override_after_one_that_left_a_null_element_applies()
    {
        // The second override read the null element left by the first and threw NullReferenceException.
        var config = ConfigLoader.Load("smoke", ["grid.priors=[null]", "grid.priors=high,low"]);
        Assert.Equal(["high", "low"], config.Grid.Priors);
    }

    [Theory]
    [InlineData("data.prior=answer")]
    [InlineData("grid.priors=x")]
    [InlineData("finetune.task=2521")]
    public void A_bad_name_override_is_refused_naming_the_key(string assignment)
    {
        // The messages named the value only ("prior 'answer' is neither …", "2521: fine-tuning task must be …").
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", [assignment]));
        Assert.Contains(assignment.Split('=')[0], e.Message, StringComparison.Ordinal);
    }
}
