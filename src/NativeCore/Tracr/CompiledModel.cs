using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Model;

namespace NativeCore.Tracr;

/// <summary>
/// A compiled (or fine-tuned compiled) model: its shape, its weights under minGPT names, and what its coordinates
/// mean. Saved as <c>model.safetensors</c> plus <c>model.json</c> (setting tracr), which records the residual layout by direction name.
/// </summary>
internal sealed record CompiledModel
{
    /// <summary>The sidecar's file name.</summary>
    public const string SidecarName = Training.ModelCard.FileName;

    /// <summary>The model shape.</summary>
    [JsonPropertyName("model")] public required GptConfig Config { get; init; }

    /// <summary>Residual direction names, coordinate by coordinate (<c>tokens:a</c>, <c>count:3</c>, <c>one</c>…).</summary>
    [JsonPropertyName("residual")] public required IReadOnlyList<string> Residual { get; init; }

    /// <summary>The token of each input id (BOS, PAD, then the vocabulary, as the layout sorts them).</summary>
    [JsonPropertyName("input_tokens")] public required IReadOnlyList<string> InputTokens { get; init; }

    /// <summary>The program's output variable.</summary>
    [JsonPropertyName("output_label")] public required string OutputLabel { get; init; }

    /// <summary>The value each output class (logit row) stands for.</summary>
    [JsonPropertyName("output_values")] public required IReadOnlyList<string> OutputValues { get; init; }

    /// <summary>The input vocabulary of the program (without BOS and PAD).</summary>
    [JsonPropertyName("vocabulary")] public required IReadOnlyList<string> Vocabulary { get; init; }

    /// <summary>N, the longest input.</summary>
    [JsonPropertyName("max_len")] public required int MaxLength { get; init; }

    /// <summary>L, the SelectorWidth decoder's sharpness.</summary>
    [JsonPropertyName("mlp_exactness")] public required double MlpExactness { get; init; }

    /// <summary>The attention coldness c.</summary>
    [JsonPropertyName("coldness")] public required double Coldness { get; init; }

    /// <summary>Which program this is (counter, maxid), and anything a run wants to record with it.</summary>
    [JsonPropertyName("program")] public string Program { get; set; } = "";

    /// <summary>How this model came to be: compiled, or fine-tuned from a parent (see <see cref="TracrLineage"/>).</summary>
    [JsonPropertyName("lineage")] public TracrLineage? Lineage { get; init; }

    /// <summary>The weights by parameter name (not in the sidecar: they live in model.safetensors).</summary>
    [JsonIgnore] public IReadOnlyDictionary<string, float[]> Weights { get; set; } = new Dictionary<string, float[]>();

    /// <summary>The input id of <paramref name="token"/>.</summary>
    public int TokenId(string token)
    {
        int id = InputTokens.ToList().IndexOf(token);
        return id >= 0 ? id : throw new ArgumentException($"'{token}' is not an input token of this model ({string.Join(" ", InputTokens)})");
    }

    /// <summary>The output class of <paramref name="value"/> (by its printed form), or −1 when the model cannot say it.</summary>
    public int OutputClass(RaspValue value) => OutputValues.ToList().IndexOf(value.ToString());

    /// <summary>[BOS] + tokens as input ids.</summary>
    public int[] Encode(IEnumerable<string> tokens) => tokens.Prepend(TracrCompiler.Bos).Select(TokenId).ToArray();

    /// <summary>A model on <paramref name="backend"/> holding these weights.</summary>
    public Gpt Build(IBackend backend)
    {
        var model = new Gpt(backend, Config);
        try
        {
            GptWeights.Load(model, Weights.ToDictionary(kv => kv.Key, kv => SafeTensor.FromFloat32(kv.Key, model.Layout[kv.Key].Shape, kv.Value)), "compiled model");
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>This description with <paramref name="model"/>'s current weights.</summary>
    public CompiledModel WithWeights(Gpt model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var host = model.Parameters.ToArray();
        return this with { Weights = model.Layout.Parameters.ToDictionary(p => p.Name, p => host.AsSpan(p.Offset, p.Length).ToArray(), StringComparer.Ordinal) };
    }

    /// <summary>Writes model.safetensors and model.json into <paramref name="directory"/>, each atomically.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var layout = new ParameterLayout(Config);
        Safetensors.Write(Path.Combine(directory, "model.safetensors"),
            layout.Parameters.Select(p => SafeTensor.FromFloat32(p.Name, p.Shape, Weights[p.Name])),
            new Dictionary<string, string> { ["format"] = "pt" });
        SaveSidecar(directory);
    }

    /// <summary>Writes model.json alone, atomically (a checkpoint writes its own model.safetensors).</summary>
    public void SaveSidecar(string directory) => Training.ModelCard.Write(directory, Training.ModelCard.Tracr, JsonSerializer.SerializeToNode(this, IO.JsonMetadata.Indented.For<CompiledModel>())!.AsObject());

    /// <summary>Reads a model saved by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidCheckpointException">A file is missing or does not match the sidecar; the message names it.</exception>
    public static CompiledModel Load(string directory)
    {
        string weights = Path.Combine(directory, "model.safetensors");
        string sidecar = (Directory.Exists(directory) ? Training.ModelCard.Find(directory, Training.ModelCard.Tracr) : null)
            ?? throw new MissingInputException($"{Path.Combine(directory, SidecarName)}: not found; is {directory} a compiled Tracr model?");
        if (!File.Exists(weights)) throw new MissingInputException($"{weights}: not found");
        CompiledModel described;
        try
        {
            described = JsonSerializer.Deserialize(File.ReadAllText(sidecar), IO.JsonMetadata.Indented.For<CompiledModel>())
                ?? throw new InvalidCheckpointException($"{sidecar}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{sidecar}: {e.Message}");
        }
        // JSON null passes "required"; every section is checked before it is used.
        if (described.Config is null) throw new InvalidCheckpointException($"{sidecar}: 'model' is null");
        if (described.Residual is null) throw new InvalidCheckpointException($"{sidecar}: 'residual' is null");
        if (described.InputTokens is null) throw new InvalidCheckpointException($"{sidecar}: 'input_tokens' is null");
        if (described.OutputValues is null) throw new InvalidCheckpointException($"{sidecar}: 'output_values' is null");
        if (described.Vocabulary is null || described.Vocabulary.Count == 0) throw new InvalidCheckpointException($"{sidecar}: 'vocabulary' is null or empty");
        try
        {
            described.Config.Validate();
        }
        catch (InvalidConfigException e)
        {
            throw new InvalidCheckpointException($"{sidecar}: {e.Message}");
        }
        // Inputs are BOS plus up to max_len tokens, so max_len is bounded by the model's positions; an unchecked one
        // either indexes out of range or sends eval into sequences no model position can hold.
        if (described.MaxLength < 2 || described.MaxLength + 1 > described.Config.BlockSize)
            throw new InvalidCheckpointException($"{sidecar}: 'max_len' is {described.MaxLength}; it must be at least 2 and at most model.block_size − 1 = {described.Config.BlockSize - 1}");
        // A readout wider than its labels would score every unlabelled class as wrong and exit 0: refuse it by name.
        if (described.OutputValues.Count != described.Config.OutputSize)
            throw new InvalidCheckpointException($"{sidecar}: 'output_values' names {described.OutputValues.Count} values, the model's readout has {described.Config.OutputSize}");
        if (described.InputTokens.Count != described.Config.VocabSize)
            throw new InvalidCheckpointException($"{sidecar}: 'input_tokens' names {described.InputTokens.Count} tokens, model.vocab_size is {described.Config.VocabSize}");
        var layout = new ParameterLayout(described.Config);
        var tensors = Safetensors.Read(weights).Tensors;
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var p in layout.Parameters)
        {
            if (!tensors.TryGetValue(p.Name, out var t)) throw new InvalidCheckpointException($"{weights}: missing tensor '{p.Name}'");
            if (!t.Shape.SequenceEqual(p.Shape)) throw new InvalidCheckpointException($"{weights}: tensor '{p.Name}' has shape [{string.Join(",", t.Shape)}], {SidecarName} needs [{string.Join(",", p.Shape)}]");
            // ToFloat32 refuses an integer dtype without knowing the file; the message must name it.
            if (t.DType is not (SafeDType.F32 or SafeDType.F64)) throw new InvalidCheckpointException($"{weights}: tensor '{p.Name}' has dtype {t.DType}, expected F32 or F64");
            result[p.Name] = t.ToFloat32();
        }
        if (described.Residual.Count != described.Config.NEmbd)
            throw new InvalidCheckpointException($"{sidecar}: residual names {described.Residual.Count} directions, model.n_embd is {described.Config.NEmbd}");
        return described with { Weights = result };
    }

}

/// <summary>The ledger entry of a compiled model or of a fine-tune of one.</summary>
internal sealed record TracrLineage
{
    /// <summary>compile, finetune or reft.</summary>
    [JsonPropertyName("stage")] public string Stage { get; set; } = "";

    /// <summary>The parent model folder; null for a compiled model.</summary>
    [JsonPropertyName("parent")] public Training.ParentRef? Parent { get; init; }

    /// <summary>Training steps done (null for a compiled model): a checkpoint's resume point.</summary>
    [JsonPropertyName("step")] public long? Step { get; init; }

    /// <summary>The data and recipe, in words and numbers.</summary>
    [JsonPropertyName("settings")] public IReadOnlyDictionary<string, string> Settings { get; set; } = new Dictionary<string, string>();

    /// <summary>NativeCore version and commit.</summary>
    [JsonPropertyName("nativecore")] public string Software { get; set; } = $"{Training.BuildInfo.Version} ({Training.BuildInfo.Commit})";

    /// <summary>Who ran it.</summary>
    [JsonPropertyName("user")] public string User { get; set; } = Environment.UserName;

    /// <summary>Where it ran.</summary>
    [JsonPropertyName("host")] public string Host { get; set; } = Environment.MachineName;

    /// <summary>UTC time of writing (ISO 8601).</summary>
    [JsonPropertyName("utc")] public string Utc { get; set; } = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
