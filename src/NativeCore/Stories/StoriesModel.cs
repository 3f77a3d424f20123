using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Stories;

/// <summary>A trained stories model: its settings, weights and ledger, saved as model.safetensors plus model.json (setting stories).</summary>
internal sealed record StoriesModel
{
    /// <summary>The sidecar's file name.</summary>
    public const string SidecarName = ModelCard.FileName;

    /// <summary>The settings of the stage that made it, model shape included.</summary>
    [JsonPropertyName("config")] public required StoriesConfig Config { get; init; }

    /// <summary>pretrain, delete or reft.</summary>
    [JsonPropertyName("stage")] public required string Stage { get; init; }

    /// <summary>Steps done.</summary>
    [JsonPropertyName("step")] public long Step { get; init; }

    /// <summary>Held-out loss by evaluated step.</summary>
    [JsonPropertyName("eval_loss")] public IReadOnlyList<double[]> EvalLoss { get; set; } = [];

    /// <summary>The parent model, its SHA-256 and stage; null when trained from scratch.</summary>
    [JsonPropertyName("parent")] public ParentRef? Parent { get; init; }

    /// <summary>NativeCore version and commit, user, host and UTC end.</summary>
    [JsonPropertyName("made_by")] public IReadOnlyDictionary<string, string> MadeBy { get; set; } = new Dictionary<string, string>
    {
        ["nativecore"] = $"{BuildInfo.Version} ({BuildInfo.Commit})", ["user"] = Environment.UserName, ["host"] = Environment.MachineName,
        ["utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>Reads the sidecar of <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidCheckpointException">It is missing, empty or not valid JSON; the message names it.</exception>
    public static StoriesModel Read(string directory)
    {
        string sidecar = (Directory.Exists(directory) ? ModelCard.Find(directory, ModelCard.Stories) : null)
            ?? throw new MissingInputException($"{Path.Combine(directory, SidecarName)}: not found; is {directory} a stories model?");
        string json = File.ReadAllText(sidecar);
        StoriesModel model;
        try
        {
            model = JsonSerializer.Deserialize(json, StoriesConfig.Reading.For<StoriesModel>()) ?? throw new InvalidCheckpointException($"{sidecar}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{sidecar}: {JsonFiles.Describe(e, json)}");
        }
        try
        {
            model.Config.Model.Validate();
        }
        catch (InvalidConfigException e)
        {
            throw new InvalidCheckpointException($"{sidecar}: config: {e.Message}");
        }
        return model;
    }

    /// <summary>Reads the sidecar of <paramref name="directory"/> and builds the model there on <paramref name="backend"/>.</summary>
    public static (StoriesModel Info, Gpt Model) Load(string directory, IBackend backend)
    {
        var info = Read(directory);
        var gpt = new Gpt(backend, info.Config.Model);
        try
        {
            GptWeights.LoadFile(gpt, Path.Combine(directory, "model.safetensors"));
        }
        catch
        {
            gpt.Dispose();
            throw;
        }
        return (info, gpt);
    }

    /// <summary>Writes model.safetensors and model.json into <paramref name="directory"/>, each atomically.</summary>
    public void Save(string directory, Gpt model)
    {
        Directory.CreateDirectory(directory);
        Safetensors.Write(Path.Combine(directory, "model.safetensors"), GptWeights.Export(model), new Dictionary<string, string> { ["format"] = "pt" });
        SaveSidecar(directory);
    }

    /// <summary>Writes model.json alone, atomically (a checkpoint writes its own model.safetensors).</summary>
    public void SaveSidecar(string directory) => ModelCard.Write(directory, ModelCard.Stories, JsonSerializer.SerializeToNode(this, JsonMetadata.Indented.For<StoriesModel>())!.AsObject());

}
