using System.Text.Json;
using System.Text.Json.Nodes;
using NativeCore.IO;

namespace NativeCore.Training;

/// <summary>
/// The one model-folder format of every setting. A model is <c>model.safetensors</c> (minGPT names) beside
/// <c>model.json</c>, whose first fields are the format tag and the setting that made it; the setting's own fields
/// (grammar: config, metrics, lineage; Tracr: the compiled program's residual layout and vocabulary; stories: config
/// and held-out losses) follow at the top level. A training run keeps its checkpoints as
/// <c>checkpoints/step-N/</c> (the same two files plus optimizer.safetensors) named by <c>latest</c>. Folders written
/// before this format, with checkpoint.json, tracr.json or stories.json, still load.
/// </summary>
public static class ModelCard
{
    /// <summary>The sidecar's file name.</summary>
    public const string FileName = "model.json";

    /// <summary>The format tag, the sidecar's first field.</summary>
    public const string FormatTag = "nativecore-model/1";

    /// <summary>The grammar setting's name in <c>model.json</c>.</summary>
    public const string Grammar = "grammar";

    /// <summary>The Tracr setting's name in <c>model.json</c>.</summary>
    public const string Tracr = "tracr";

    /// <summary>The stories setting's name in <c>model.json</c>.</summary>
    public const string Stories = "stories";

    /// <summary>Each setting's sidecar before <c>model.json</c>.</summary>
    public static IReadOnlyDictionary<string, string> LegacyNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Grammar] = "checkpoint.json", [Tracr] = "tracr.json", [Stories] = "stories.json",
    };

    /// <summary>Writes <paramref name="body"/> as <paramref name="directory"/>/model.json, atomically, with the format tag and setting first.</summary>
    public static void Write(string directory, string setting, JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var card = new JsonObject { ["format"] = FormatTag, ["setting"] = setting };
        foreach (var (key, value) in body)
            if (key is not ("format" or "setting")) card[key] = value?.DeepClone();
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), card.ToJsonString(IO.JsonMetadata.Indented));
    }

    /// <summary>
    /// The sidecar of a <paramref name="setting"/> model in <paramref name="directory"/>: its model.json, or the
    /// setting's legacy file in a folder written before; null when there is neither.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">model.json is unreadable, or holds another setting's model; the message names it.</exception>
    public static string? Find(string directory, string setting)
    {
        string card = Path.Combine(directory, FileName);
        if (File.Exists(card))
        {
            string found = SettingIn(card);
            return found == setting ? card : throw new InvalidCheckpointException($"{card}: holds a {found} model, not a {setting} model");
        }
        string legacy = Path.Combine(directory, LegacyNames[setting]);
        return File.Exists(legacy) ? legacy : null;
    }

    /// <summary>The setting of the model in <paramref name="directory"/> (from model.json, else by a legacy sidecar's name), or null when it holds none.</summary>
    /// <exception cref="InvalidCheckpointException">model.json is unreadable or names no setting.</exception>
    public static string? SettingOf(string directory)
    {
        string card = Path.Combine(directory, FileName);
        if (File.Exists(card)) return SettingIn(card);
        foreach (var (setting, legacy) in LegacyNames)
            if (File.Exists(Path.Combine(directory, legacy))) return setting;
        return null;
    }

    /// <summary>The format tags a grammar sidecar may carry: this format's, and checkpoint.json's before it.</summary>
    public static bool IsKnownFormat(string? tag) => tag is FormatTag or "nativecore-checkpoint/1";

    private static string SettingIn(string card)
    {
        string json = File.ReadAllText(card);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatTag)
                throw new InvalidCheckpointException($"{card}: not a {FormatTag} model card (its 'format' must be \"{FormatTag}\")");
            if (!doc.RootElement.TryGetProperty("setting", out var setting) || setting.ValueKind != JsonValueKind.String || !LegacyNames.ContainsKey(setting.GetString()!))
                throw new InvalidCheckpointException($"{card}: 'setting' must be {string.Join(", ", LegacyNames.Keys)}");
            return setting.GetString()!;
        }
        catch (JsonException e)
        {
            throw new InvalidCheckpointException($"{card}: {JsonFiles.Describe(e, json)}");
        }
        catch (InvalidOperationException e)
        {
            // A string with a lone surrogate escape parses, and fails only when read.
            throw new InvalidCheckpointException($"{card}: {e.Message}");
        }
    }

}
