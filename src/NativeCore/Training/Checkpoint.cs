using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Model;

namespace NativeCore.Training;

/// <summary>The grammar setting's fields of a checkpoint's model.json (checkpoint.json in folders written before it).</summary>
internal sealed record CheckpointSidecar
{
    /// <summary>Format tag, checked on load.</summary>
    [JsonPropertyName("format")] public string Format { get; set; } = ModelCard.FormatTag;

    /// <summary>pretrain, finetune or reft.</summary>
    [JsonPropertyName("stage")] public string Stage { get; set; } = "";

    /// <summary>Optimizer steps completed.</summary>
    [JsonPropertyName("step")] public long Step { get; init; }

    /// <summary>Steps the stage was configured for.</summary>
    [JsonPropertyName("total_steps")] public long TotalSteps { get; init; }

    /// <summary>Training seed (initial weights, dropout).</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; init; }

    /// <summary>Data seed; with <see cref="Step"/> it fixes the next batch (batches are pure functions of (seed, step)).</summary>
    [JsonPropertyName("data_seed")] public ulong DataSeed { get; init; }

    /// <summary>Dropout masks of step s use seed hash(seed, s); recorded so a reader can regenerate them.</summary>
    [JsonPropertyName("rng")] public string Rng { get; set; } = "counter-hash: data batch = f(data_seed, step); dropout seed = mix(seed, step)";

    /// <summary>The resolved configuration.</summary>
    [JsonPropertyName("config")] public RunConfig Config { get; set; } = new();

    /// <summary>The last step's loss and the last evaluation.</summary>
    [JsonPropertyName("metrics")] public JsonObject Metrics { get; set; } = [];

    /// <summary>SHA-256 of model.safetensors.</summary>
    [JsonPropertyName("model_sha256")] public string ModelSha256 { get; set; } = "";

    /// <summary>How this checkpoint came to be.</summary>
    [JsonPropertyName("lineage")] public Lineage Lineage { get; set; } = new();
}

/// <summary>
/// Checkpoints in a run folder: <c>checkpoints/step-NNNNNNN/</c> holding model.safetensors (minGPT names, PyTorch
/// loads it), optimizer.safetensors (the optimiser's state) and model.json (<see cref="ModelCard"/>), plus a <c>latest</c> file naming the newest.
/// Each checkpoint is written into a temporary folder and renamed into place, and <c>latest</c> is replaced
/// atomically, so an interrupted write never damages an earlier checkpoint.
/// </summary>
public static class Checkpoint
{

    /// <summary>Writes a grammar checkpoint (model.json with the grammar fields) of <paramref name="model"/> and <paramref name="optimizer"/>; returns its folder.</summary>
    internal static string Save(string runDirectory, Gpt model, IOptimizer optimizer, CheckpointSidecar sidecar, int keepLast)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        return Save(runDirectory, sidecar.Step, model, optimizer, keepLast,
            (dir, sha) => ModelCard.Write(dir, ModelCard.Grammar, JsonSerializer.SerializeToNode(sidecar with { ModelSha256 = sha }, IO.JsonMetadata.For<CheckpointSidecar>(ConfigLoader.Writing))!.AsObject()));
    }

    /// <summary>
    /// Writes <c>checkpoints/step-N/</c> with model.safetensors, optimizer.safetensors and the setting's sidecar (written
    /// by <paramref name="writeSidecar"/> into the folder, given the model's SHA-256), then points <c>latest</c> at it
    /// and keeps the newest <paramref name="keepLast"/>. Every setting's checkpoints have this layout. Returns the folder.
    /// </summary>
    public static string Save(string runDirectory, long step, Gpt model, IOptimizer optimizer, int keepLast, Action<string, string> writeSidecar)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(writeSidecar);
        string root = Path.Combine(runDirectory, "checkpoints");
        Directory.CreateDirectory(root);
        string name = $"step-{step:D7}";
        string final = Path.Combine(root, name);
        string tmp = Path.Combine(root, $".{name}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(tmp);
        try
        {
            string modelPath = Path.Combine(tmp, "model.safetensors");
            Safetensors.Write(modelPath, GptWeights.Export(model), new Dictionary<string, string> { ["format"] = "pt" });
            var state = optimizer.State.SelectMany(s => GptWeights.Export(model, s.Buffer, s.Prefix));
            Safetensors.Write(Path.Combine(tmp, "optimizer.safetensors"), state,
                new Dictionary<string, string> { ["step"] = optimizer.StepCount.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            writeSidecar(tmp, Sha256(modelPath));
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(tmp, final);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "latest"), Path.Combine("checkpoints", name) + "\n");
        foreach (string old in Directory.GetDirectories(root, "step-*").Order(StringComparer.Ordinal).SkipLast(keepLast))
            Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>The folder <c>latest</c> names in <paramref name="runDirectory"/>, whatever the setting, or null when there is none.</summary>
    /// <exception cref="InvalidCheckpointException"><c>latest</c> names a folder that does not exist.</exception>
    public static string? Latest(string runDirectory)
    {
        string latest = Path.Combine(runDirectory, "latest");
        if (!File.Exists(latest)) return null;
        string dir = Path.Combine(runDirectory, File.ReadAllText(latest).Trim());
        return Directory.Exists(dir) ? dir : throw new InvalidCheckpointException($"{latest}: names {dir}, which does not exist");
    }

    /// <summary>
    /// The checkpoint folder meant by <paramref name="path"/>: a checkpoint folder itself, or a run folder (its latest).
    /// </summary>
    /// <exception cref="InvalidCheckpointException">No checkpoint there.</exception>
    public static string Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path) && ModelCard.Find(path, ModelCard.Grammar) is not null) return path;
        string latest = Path.Combine(path, "latest");
        if (File.Exists(latest))
        {
            string dir = Path.Combine(path, File.ReadAllText(latest).Trim());
            if (Directory.Exists(dir) && ModelCard.Find(dir, ModelCard.Grammar) is not null) return dir;
            throw new InvalidCheckpointException($"{latest}: names {dir}, which holds no {ModelCard.FileName}");
        }
        throw new MissingInputException($"{(path.Length == 0 ? "(empty path)" : path)}: no checkpoint found (neither {ModelCard.FileName} nor a 'latest' file)");
    }

    /// <summary>The name of the run folder a checkpoint folder (<c>RUN/checkpoints/step-N</c>) belongs to.</summary>
    public static string RunName(string checkpointDirectory) =>
        Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(checkpointDirectory).TrimEnd('/')))) ?? checkpointDirectory;

    /// <summary>Whether <paramref name="runDirectory"/> already holds a checkpoint.</summary>
    public static bool Exists(string runDirectory) => File.Exists(Path.Combine(runDirectory, "latest"));

    /// <summary>Reads and checks a checkpoint's sidecar.</summary>
    internal static CheckpointSidecar ReadSidecar(string checkpointDirectory)
    {
        string path = ModelCard.Find(checkpointDirectory, ModelCard.Grammar) ?? throw new MissingInputException($"{Path.Combine(checkpointDirectory, ModelCard.FileName)}: not found");
        CheckpointSidecar? sidecar;
        string json = File.ReadAllText(path);
        try
        {
            sidecar = JsonSerializer.Deserialize(json, IO.JsonMetadata.For<CheckpointSidecar>(Reading));
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{path}: {JsonFiles.Describe(e, json)}");
        }
        if (sidecar is null || !ModelCard.IsKnownFormat(sidecar.Format)) throw new InvalidCheckpointException($"{path}: not a {ModelCard.FormatTag} model card");
        try
        {
            return sidecar with { Config = sidecar.Config.Resolve() };
        }
        catch (InvalidConfigException e)
        {
            throw new InvalidCheckpointException($"{path}: config: {e.Message}");
        }
    }

    /// <summary>Loads the weights of <paramref name="checkpointDirectory"/> into <paramref name="model"/>, after validating all of them.</summary>
    public static void LoadModel(Gpt model, string checkpointDirectory) => GptWeights.LoadFile(model, Path.Combine(checkpointDirectory, "model.safetensors"));

    /// <summary>Loads the optimiser's state (AdamW moments, SGD velocity) and step count.</summary>
    public static void LoadOptimizer(Gpt model, IOptimizer optimizer, string checkpointDirectory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        string path = Path.Combine(checkpointDirectory, "optimizer.safetensors");
        var (tensors, meta) = Safetensors.Read(path);
        if (!meta.TryGetValue("step", out string? stepText) || !int.TryParse(stepText, out int step))
            throw new InvalidCheckpointException($"{path}: metadata 'step' is missing");
        var buffers = optimizer.State.Select(s => (s.Prefix, s.Buffer, Host: new float[model.Layout.TotalLength])).ToList();
        foreach (var p in model.Layout.Parameters)
        {
            foreach (var (prefix, _, target) in buffers)
            {
                if (!tensors.TryGetValue(prefix + p.Name, out var t) || !t.Shape.SequenceEqual(p.Shape))
                    throw new InvalidCheckpointException($"{path}: tensor '{prefix}{p.Name}' is missing or has the wrong shape");
                // ToFloat32 refuses an integer dtype without knowing the file; the message must name it.
                if (t.DType is not (SafeDType.F32 or SafeDType.F64))
                    throw new InvalidCheckpointException($"{path}: tensor '{prefix}{p.Name}' has dtype {t.DType}, expected F32 or F64");
                t.ToFloat32().CopyTo(target, p.Offset);
            }
        }
        foreach (var (_, buffer, host) in buffers) buffer.CopyFromHost(host);
        optimizer.StepCount = step;
    }

    // A hand-edited "config": null or "lineage": null would otherwise deserialise and fail later as a null reference.
    private static readonly JsonSerializerOptions Reading = new(ConfigLoader.Writing) { RespectNullableAnnotations = true };

    /// <summary>Hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
