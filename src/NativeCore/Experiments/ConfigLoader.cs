using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NativeCore.Experiments;

/// <summary>
/// Loads presets (small JSON files with comments, embedded in the library) and applies <c>--set a.b=c</c> overrides,
/// each checked against the preset's schema: an unknown key or a value of the wrong type is an error that names it.
/// </summary>
public static class ConfigLoader
{
    private static readonly JsonSerializerOptions Strict = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        // "pretrain": null would otherwise replace the section's defaults with null and fail later as a null reference.
        RespectNullableAnnotations = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Options for writing configs: indented, enums as names.</summary>
    public static JsonSerializerOptions Writing { get; } = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
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
        foreach (string o in overrides ?? []) Apply(node, o);
        return FromNode(node, preset);
    }

    /// <summary>
    /// <paramref name="config"/> (for example a parent checkpoint's resolved config) with <paramref name="overrides"/>
    /// applied under the same schema checks as a preset.
    /// </summary>
    public static RunConfig WithOverrides(RunConfig config, IEnumerable<string> overrides)
    {
        var node = JsonSerializer.SerializeToNode(config, Writing) ?? throw new InvalidConfigException("empty config");
        foreach (string o in overrides ?? []) Apply(node, o);
        return FromNode(node, config?.Preset ?? "config");
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
    public static string ToJson(RunConfig config) => JsonSerializer.Serialize(config, Writing);

    private static RunConfig FromNode(JsonNode node, string source)
    {
        RunConfig config;
        try
        {
            config = node.Deserialize<RunConfig>(Strict) ?? throw new InvalidConfigException($"{source}: empty config");
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

    /// <summary>Applies one <c>a.b=c</c> override; the key must exist and the value must parse as the existing value's type.</summary>
    public static void Apply(JsonNode root, string assignment)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(assignment);
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new InvalidConfigException($"override '{assignment}' is not of the form key=value");
        string key = assignment[..eq].Trim(), value = assignment[(eq + 1)..].Trim();
        string[] path = key.Split('.');
        JsonNode? parent = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            parent = parent is JsonObject o && o.TryGetPropertyValue(path[i], out var child) && child is JsonObject ? child : null;
            if (parent is null) throw new InvalidConfigException($"unknown config key '{key}'");
        }
        if (parent is not JsonObject obj || !obj.TryGetPropertyValue(path[^1], out var existing) || existing is null)
            throw new InvalidConfigException($"unknown config key '{key}'");
        obj[path[^1]] = Parse(existing, value, key);
    }

    private static JsonNode Parse(JsonNode existing, string value, string key)
    {
        switch (existing.GetValueKind())
        {
            case JsonValueKind.Number:
                if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l)) return JsonValue.Create(l)!;
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
                    return JsonValue.Create(d)!;
                throw new InvalidConfigException($"config key '{key}' expects a number, got '{value}'");
            case JsonValueKind.True:
            case JsonValueKind.False:
                if (bool.TryParse(value, out bool b)) return JsonValue.Create(b)!;
                throw new InvalidConfigException($"config key '{key}' expects true or false, got '{value}'");
            case JsonValueKind.String:
                return JsonValue.Create(value)!;
            case JsonValueKind.Array:
                // JSON syntax ([...]) for anything; otherwise comma-separated elements of the existing elements' kind.
                if (value.StartsWith('['))
                {
                    try
                    {
                        return JsonNode.Parse(value) as JsonArray ?? throw new InvalidConfigException($"config key '{key}' expects an array, got '{value}'");
                    }
                    catch (JsonException e)
                    {
                        throw new InvalidConfigException($"config key '{key}': '{value}' is not a JSON array: {e.Message}");
                    }
                }
                // An earlier override may have left a null element ("[null]"), which is no number.
                bool numbers = existing.AsArray().Count > 0 && existing.AsArray()[0]?.GetValueKind() == JsonValueKind.Number;
                return new JsonArray(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => numbers
                    ? (JsonNode?)JsonValue.Create(double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : throw new InvalidConfigException($"config key '{key}' expects numbers, got '{v}'"))
                    : JsonValue.Create(v)).ToArray());
            default:
                throw new InvalidConfigException($"config key '{key}' is a section, not a value");
        }
    }
}
