using System.Text.Json;
using System.Text.Json.Nodes;

namespace NativeCore.Ledger;

/// <summary>
/// Turns a settings record into <c>key → value</c> text by its JSON names, so that the ledger shows every field a
/// sidecar records, new ones included, without a list to keep in step with the records.
/// </summary>
internal static class SettingsFlattener
{
    /// <summary>
    /// Adds the fields of <paramref name="settings"/> to <paramref name="into"/>, nested objects as <c>prefix.key</c>,
    /// arrays joined by commas; keys already there keep their value and null fields are left out.
    /// </summary>
    public static void Add(IDictionary<string, string> into, object settings, JsonSerializerOptions options, string prefix = "")
    {
        if (JsonSerializer.SerializeToNode(settings, options.GetTypeInfo(settings.GetType())) is JsonObject node) Add(into, node, prefix);
    }

    private static void Add(IDictionary<string, string> into, JsonObject node, string prefix)
    {
        foreach (var (key, value) in node)
        {
            string name = prefix + key;
            if (value is JsonObject inner) Add(into, inner, name + ".");
            else if (value is not null) into.TryAdd(name, Text(value));
        }
    }

    private static string Text(JsonNode value) => value switch
    {
        JsonArray array => string.Join(",", array.Select(v => v is null ? "null" : Text(v))),
        // A JSON string is shown bare; numbers and booleans keep their JSON spelling, which round-trips.
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}
