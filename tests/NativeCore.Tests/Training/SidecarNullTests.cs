using System.Text.Json;
using System.Text.Json.Nodes;
using NativeCore.Cli;
using NativeCore.Experiments;
using NativeCore.Stories;
using NativeCore.Training;

namespace NativeCore.Tests.Training;

/// <summary>A sidecar or preset with a null section is refused by file and field, never read as a null reference.</summary>
[Collection("Console")]
public sealed class SidecarNullTests : TempDirectoryTest
{
    /// <summary>A checkpoint folder holding only checkpoint.json (enough for the sidecar reader and <c>lineage</c>).</summary>
    private string Checkpoint(Action<JsonObject> edit)
    {
        string dir = Dir("run/checkpoints/step-0000001");
        Directory.CreateDirectory(dir);
        var sidecar = new CheckpointSidecar { Stage = "pretrain", Step = 1, TotalSteps = 1, Config = ConfigLoader.Load("smoke") };
        var json = JsonSerializer.SerializeToNode(sidecar, ConfigLoader.Writing)!.AsObject();
        edit(json);
        File.WriteAllText(Path.Combine(dir, "checkpoint.json"), json.ToJsonString());
        return dir;
    }

    private static void SetNull(JsonObject root, string dotted)
    {
        string[] path = dotted.Split('.');
        JsonObject parent = root;
        foreach (string key in path[..^1]) parent = parent[key]!.AsObject();
        parent[path[^1]] = null;
    }

    [Fact]
    public void An_intact_sidecar_still_reads()
    {
        var sidecar = NativeCore.Training.Checkpoint.ReadSidecar(Checkpoint(_ => { }));
        Assert.Equal("pretrain", sidecar.Stage);
    }

    [Theory]
    [InlineData("config")]
    [InlineData("config.model")]
    [InlineData("config.data.tasks")]
    [InlineData("config.data.prior")]
    [InlineData("config.pretrain")]
    [InlineData("lineage")]
    [InlineData("lineage.settings")]
    [InlineData("metrics")]
    public void A_null_section_of_checkpoint_json_is_refused_by_name(string field)
    {
        string dir = Checkpoint(j => SetNull(j, field));
        var e = Assert.Throws<InvalidCheckpointException>(() => NativeCore.Training.Checkpoint.ReadSidecar(dir));
        Assert.Contains(Path.Combine(dir, "checkpoint.json"), e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}' is null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lineage_of_a_checkpoint_whose_lineage_is_null_exits_3_naming_the_file()
    {
        string dir = Checkpoint(j => j["lineage"] = null);
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        int exit;
        try
        {
            exit = Program.Main(["lineage", dir]);
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.Equal(ExitCodes.Format, exit);
        Assert.Equal($"error: {Path.Combine(dir, "checkpoint.json")}: 'lineage' is null", error.ToString().TrimEnd());
    }

    [Theory]
    [InlineData("pretrain")]
    [InlineData("model")]
    [InlineData("data")]
    [InlineData("grid")]
    public void A_preset_with_a_null_section_is_refused_by_name(string section)
    {
        var json = JsonSerializer.SerializeToNode(ConfigLoader.Load("smoke"), ConfigLoader.Writing)!.AsObject();
        json[section] = null;
        string path = Dir("preset.json");
        File.WriteAllText(path, json.ToJsonString());
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load(path));
        Assert.Equal($"{path}: '{section}' is null", e.Message);
    }

    [Fact]
    public void A_null_prior_in_the_grid_is_refused_by_name()
    {
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", ["grid.priors=[null]"]));
        Assert.Contains("grid.priors", e.Message, StringComparison.Ordinal);
    }

    private string Stories(Action<JsonObject> edit)
    {
        string dir = Dir("stories");
        Directory.CreateDirectory(dir);
        var json = JsonSerializer.SerializeToNode(new StoriesModel { Config = new StoriesConfig(), Stage = "pretrain" })!.AsObject();
        edit(json);
        ModelCard.Write(dir, ModelCard.Stories, json);
        return dir;
    }

    [Theory]
    [InlineData("config")]
    [InlineData("config.model")]
    [InlineData("stage")]
    public void A_null_section_of_stories_json_is_refused_by_name(string field)
    {
        string dir = Stories(j => SetNull(j, field));
        var e = Assert.Throws<InvalidCheckpointException>(() => StoriesModel.Read(dir));
        Assert.Equal($"{Path.Combine(dir, StoriesModel.SidecarName)}: '{field}' is null", e.Message);
    }

    [Fact]
    public void A_stories_json_whose_model_cannot_work_is_refused_naming_the_file()
    {
        string dir = Stories(j => j["config"]!["model"]!["n_embd"] = 0);
        var e = Assert.Throws<InvalidCheckpointException>(() => StoriesModel.Read(dir));
        Assert.Contains(Path.Combine(dir, StoriesModel.SidecarName), e.Message, StringComparison.Ordinal);
        Assert.Contains("n_embd", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_stories_override_is_refused_by_name()
    {
        var e = Assert.Throws<InvalidConfigException>(() => new StoriesConfig().WithOverrides(["model=null"]));
        Assert.Contains("'model' is null", e.Message, StringComparison.Ordinal);
    }
}
