using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace NativeCore.Experiments;

/// <summary>
/// Turns the text of one <c>--set key=value</c> into the JSON its field's type takes, checking the type on the way,
/// and words every refusal so that it names the key and what the key takes.
/// </summary>
/// <param name="setting">The setting's name (grammar, tracr, stories), for the unknown-key message.</param>
/// <param name="key">The whole dotted key of the override, which every message starts with.</param>
/// <param name="options">The setting's serializer options: the contract the config is read with.</param>
internal sealed class OverrideValues(string setting, string key, JsonSerializerOptions options)
{
    private static readonly JsonDocumentOptions NoRepeatedKeys = new() { AllowDuplicateProperties = false };

    /// <summary>The value for <paramref name="property"/> given as <paramref name="text"/>.</summary>
    public JsonNode? ForProperty(string text, JsonPropertyInfo property)
    {
        var node = FromText(text, property.PropertyType, key);
        if (node is null && !property.IsSetNullable) throw Null(key, property.PropertyType);
        // The last word on what the field takes is the serializer's, which reads the config in the end.
        if (node is not null && !Reads(node, property.PropertyType)) throw WrongType(key, text, property.PropertyType);
        return node;
    }

    private bool Reads(JsonNode node, Type type)
    {
        try
        {
            _ = node.Deserialize(OverrideSchema.Info(type, options));
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // InvalidOperationException or ArgumentException: a lone UTF-16 surrogate cannot round-trip as JSON text.
            return false;
        }
    }

    /// <summary>
    /// Text as a value of <paramref name="type"/>: a section takes a JSON object, a list a JSON array or comma-separated
    /// elements, a scalar its plain text; <c>null</c> is null for everything but text.
    /// </summary>
    private JsonNode? FromText(string text, Type type, string at)
    {
        if (OverrideSchema.IsSection(type, options)) return FromJson(ParseJson(text), type, at);
        if (OverrideSchema.ElementType(type, options) is { } element)
        {
            if (text.StartsWith('[')) return FromJson(ParseJson(text), type, at);
            if (text == "null") return null;
            string[] items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return new JsonArray([.. items.Select((item, i) => FromText(item, element, $"{at}[{i}]"))]);
        }
        return Scalar(text, type, at);
    }

    private JsonNode? Scalar(string text, Type type, string at)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return text == "null" ? null : Scalar(text, inner, at);
        // Any text is text, "null" included: a path or a name is never meant as JSON null.
        if (type == typeof(string)) return JsonValue.Create(text);
        if (type.IsEnum)
        {
            // The setting's converter decides which names (and whether numbers) it takes; asked here, a refusal can
            // name the element of a list that is wrong.
            var name = JsonValue.Create(text);
            return Reads(name, type) ? name : throw WrongType(at, text, type);
        }
        if (type == typeof(bool)) return bool.TryParse(text, out bool b) ? JsonValue.Create(b) : throw WrongType(at, text, type);
        if (OverrideSchema.IntegerRange(type) is var (min, max))
        {
            // Only integer syntax: 1.5 and 1e9 are refused for an integer field, not rounded or widened.
            return BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? JsonValue.Create((decimal)v)
                : throw WrongType(at, text, type);
        }
        if (type == typeof(double) || type == typeof(float))
        {
            // double.TryParse takes "NaN", "Infinity" and 1e400 (as infinity); none can be written back as JSON, and
            // the serializer would read 1e400 as infinity too, so finiteness is checked here, at the field's width.
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && (type == typeof(double) || float.IsFinite((float)d))
                ? JsonValue.Create(d)
                : throw WrongType(at, text, type);
        }
        throw new NotSupportedException($"--set cannot parse a field of type {type}");
    }

    /// <summary>
    /// A JSON value checked against <paramref name="type"/> as <c>--set</c> text is: keys must be known, numbers of the
    /// right kind and finite. Returns a copy, since a node can only have one parent.
    /// </summary>
    private JsonNode? FromJson(JsonNode? node, Type type, string at)
    {
        // A null element of a list is left to the setting's own validation, which names it (grid.priors=[null]).
        if (node is null) return null;
        var actual = Nullable.GetUnderlyingType(type) ?? type;
        if (OverrideSchema.IsSection(actual, options))
        {
            if (node is not JsonObject obj) throw WrongType(at, node.ToJsonString(), actual);
            var copy = new JsonObject();
            foreach (var (name, member) in obj)
            {
                var property = OverrideSchema.Find(actual, name, options) ?? throw Unknown(name, at, actual);
                string memberAt = $"{at}.{name}";
                if (member is null && !property.IsSetNullable) throw Null(memberAt, property.PropertyType);
                copy[name] = FromJson(member, property.PropertyType, memberAt);
            }
            return copy;
        }
        if (OverrideSchema.ElementType(actual, options) is { } element)
        {
            return node is JsonArray array
                ? new JsonArray([.. array.Select((item, i) => FromJson(item, element, $"{at}[{i}]"))])
                : throw WrongType(at, node.ToJsonString(), actual);
        }
        if (node is not JsonValue value) throw WrongType(at, node.ToJsonString(), actual);
        bool isText = actual == typeof(string) || actual.IsEnum;
        return value.GetValueKind() switch
        {
            JsonValueKind.String when isText => Scalar(value.GetValue<string>(), actual, at),
            // A number or true/false goes through the same checks as its plain text (range, finiteness).
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False when !isText => Scalar(value.ToJsonString(), actual, at),
            _ => throw WrongType(at, value.ToJsonString(), actual),
        };
    }

    private JsonNode? ParseJson(string text)
    {
        try
        {
            // A repeated key would make JsonObject throw ArgumentException when it is first indexed.
            return JsonNode.Parse(text, documentOptions: NoRepeatedKeys);
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException($"--set {key}: '{text}' is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The refusal of a key that <paramref name="type"/> (the section at <paramref name="at"/>, or the config) lacks.</summary>
    public InvalidConfigException Unknown(string name, string at, Type type)
    {
        string where = at.Length == 0 ? $"the {setting} setting" : $"section '{at}' of the {setting} setting";
        string valid = string.Join(", ", OverrideSchema.Settable(type, options).Select(p => p.Name));
        return new InvalidConfigException($"--set {key}: unknown key '{name}' in {where}; valid keys: {valid}");
    }

    private InvalidConfigException WrongType(string at, string text, Type type)
    {
        string expected = OverrideSchema.Expected(type, options);
        return new InvalidConfigException(at == key
            ? $"--set {key}: wrong type: '{text}' is not {expected}"
            : $"--set {key}: wrong type: {at} is '{text}', which is not {expected}");
    }

    private InvalidConfigException Null(string at, Type type) =>
        new($"--set {key}: '{at}' is null; it takes {OverrideSchema.Expected(type, options)}");
}
