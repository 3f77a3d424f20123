using System.Text.Json;
using NativeCore.Experiments;
using NativeCore.Stories;
using NativeCore.Training;

namespace NativeCore.Tests.IO;

/// <summary>
/// A sidecar or preset that repeats a key and gives it a value of the wrong type, or holds an unknown key with a dot
/// and a backslash, is refused naming the file. Found by fuzzing: describing the error walked a JsonObject, which threw
/// ArgumentException on the repeated key, or unescaped the key with Regex.Unescape, which threw RegexParseException.
/// </summary>
public sealed class JsonFilesTests : TempDirectoryTest
{
    [Fact]
    public void A_checkpoint_json_with_a_repeated_mistyped_key_is_refused_naming_the_file()
    {
        string dir = Dir("step-0000001");
        Directory.CreateDirectory(dir);
        string json = JsonSerializer.Serialize(new CheckpointSidecar { Stage = "pretrain", Step = 1, Config = ConfigLoader.Load("smoke") });
        File.WriteAllText(Path.Combine(dir, "checkpoint.json"), json.Replace("\"stage\":\"pretrain\"", "\"stage\":\"pretrain\",\"stage\":1", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidCheckpointException>(() => Checkpoint.ReadSidecar(dir));
        Assert.StartsWith(Path.Combine(dir, "checkpoint.json") + ": ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stories_json_with_a_repeated_mistyped_key_is_refused_naming_the_file()
    {
        string dir = Dir("stories");
        Directory.CreateDirectory(dir);
        string json = JsonSerializer.Serialize(new StoriesModel { Config = new StoriesConfig(), Stage = "pretrain" });
        // The card's own first fields, then the stories fields with a repeated, mistyped key.
        json = "{\"format\":\"" + ModelCard.FormatTag + "\",\"setting\":\"stories\"," + json[1..];
        File.WriteAllText(Path.Combine(dir, StoriesModel.SidecarName), json.Replace("\"step\":0", "\"step\":0,\"step\":\"x\"", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidCheckpointException>(() => StoriesModel.Read(dir));
        Assert.StartsWith(Path.Combine(dir, StoriesModel.SidecarName) + ": ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"seed\":1", "\"seed\":1,\"seed\":\"x\"")]
    // An unknown key that the error's JSON path quotes (it holds a dot) and that holds a backslash.
    [InlineData("\"seed\":1", "\"seed\":1,\"a.b\\\\q\":1")]
    public void A_preset_with_a_repeated_or_odd_key_is_refused_naming_the_file(string find, string replace)
    {
        string path = Dir("preset.json");
        string json = ConfigLoader.ToJson(ConfigLoader.Load("smoke")).Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        Assert.Contains(find, json, StringComparison.Ordinal);
        File.WriteAllText(path, json.Replace(find, replace, StringComparison.Ordinal));
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load(path));
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
    }
}
