using NativeCore.IO;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NativeCore.Experiments;

/// <summary>
/// Loads presets (small JSON files with comments, embedded in the library) and applies <c>--set a.b=c</c> overrides
/// through <see cref="Overrides"/>: every key of <see cref="RunConfig"/> can be set, whether or not the preset names it,
/// and an unknown key or a value of the wrong type is an error that names it.
/// </summary>
internal static class ConfigLoader
{
    // The name --set messages give this setting.
    private const string SettingName = "grammar";

    private static readonly JsonSerializerOptions Strict = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        // "pretrain": null would otherwise replace the section's defaults with null and fail later as a null reference.
        RespectNullableAnnotations = true,
        TypeInfoResolver = IO.ConfigJsonContext.Default,
    };

    /// <summary>The options a run config is read with, and so the contract its <c>--set</c> keys come from.</summary>
    internal static JsonSerializerOptions Reading => Strict;

    /// <summary>Options for writing configs: indented, enums as names.</summary>
    public static JsonSerializerOptions Writing { get; } = new()
    {
        WriteIndented = true,
        TypeInfoResolver = IO.ConfigJsonContext.Default,
    };

    /// <summary>Names of the built-in presets.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = typeof(ConfigLoader).Assembly.GetManifestResourceNames()
        .Where(n => n.EndsWith(".json", StringComparison.Ordinal) && n.Contains(".Presets.", StringComparison.Ordinal))
        .Select(n => n.Split('.')[^2]).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Resolves <paramref name="preset"/> (a built-in name or a path to a JSON file) with <paramref name="overrides"/>
    /// (<c>section.key=value</c>) applied in order.
    /// </summary>
    /// <exception cref="InvalidConfigException">Unknown preset, key or type; bad JSON.</exception>
    public static RunConfig Load(string preset, IEnumerable<string>? overrides = null)
    {
        var node = PresetNode(preset);
        // Overrides go into the preset's JSON, not into a RunConfig read from it: a preset that cannot be read (a number
        // past double, 1e400) is then refused as the file's fault, by the same reading as a preset without overrides.
        // A preset that is no JSON object is refused that way too; its overrides do not matter.
        if (node is JsonObject root) Overrides.ApplyTo(root, typeof(RunConfig), overrides ?? [], SettingName, Strict);
        return FromNode(node, preset);
    }

    /// <summary>
    /// <paramref name="config"/> (for example a parent checkpoint's resolved config) with <paramref name="overrides"/>
    /// applied under the same schema checks as a preset.
    /// </summary>
    public static RunConfig WithOverrides(RunConfig config, IEnumerable<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Resolve(Overrides.Apply(config, overrides ?? [], SettingName, Strict), config.Preset);
    }

    /// <summary>Reads a resolved config (config.json or a checkpoint sidecar's "config").</summary>
    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            return FromNode(JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })
                ?? throw new InvalidConfigException($"{source}: empty config"), source);
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException($"{source}: invalid JSON: {e.Message}");
        }
    }

    /// <summary>The config as indented JSON.</summary>
    public static string ToJson(RunConfig config) => JsonSerializer.Serialize(config, IO.JsonMetadata.For<RunConfig>(Writing));

    private static RunConfig FromNode(JsonNode node, string source)
    {
        RunConfig config;
        try
        {
            config = node.Deserialize(IO.JsonMetadata.For<RunConfig>(Strict)) ?? throw new InvalidConfigException($"{source}: empty config");
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException($"{source}: {IO.JsonFiles.Describe(e, node)}");
        }
        catch (InvalidOperationException e)
        {
            // A string that escapes a lone UTF-16 surrogate ("\ud800") is valid JSON; reading it throws this.
            throw new InvalidConfigException($"{source}: {e.Message}");
        }
        return Resolve(config, source);
    }

    private static RunConfig Resolve(RunConfig config, string source)
    {
        try
        {
            return config.Resolve();
        }
        catch (InvalidConfigException e)
        {
            // A range error names the field; the preset (a file, often) it came from is the other half of where.
            throw new InvalidConfigException($"{source}: {e.Message}");
        }
    }

    private static JsonNode PresetNode(string preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        string? text = null;
        string resource = $"NativeCore.Experiments.Presets.{preset}.json";
        using (var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource))
        {
            if (stream is not null)
            {
                using var reader = new StreamReader(stream);
                text = reader.ReadToEnd();
            }
        }
        if (text is null && preset.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(preset)) text = File.ReadAllText(preset);
        if (text is null) throw new InvalidConfigException($"unknown preset '{preset}'; presets: {string.Join(", ", PresetNames)}, or a path to a .json file");
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException($"preset '{preset}': invalid JSON: {e.Message}");
        }
    }
}
