using System.Text.Json;
using System.Text.Json.Nodes;

namespace NativeCore.Tests.Experiments;

/// <summary>
/// <c>--set</c> texts for a field of a given type: ones it must take (with the JSON each must land as) and ones of the
/// wrong type it must refuse. A field of a type listed nowhere here fails the test that asks, so a new kind of field
/// cannot go untested.
/// </summary>
internal static class OverrideSamples
{
    /// <summary>Texts a field of <paramref name="type"/> takes, each with the JSON it lands as.</summary>
    public static IReadOnlyList<(string Text, string Json)> Valid(Type type, JsonSerializerOptions options)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return [.. Valid(inner, options), ("null", "null")];
        if (type == typeof(string)) return [("override-test", "\"override-test\""), ("null", "\"null\""), ("", "\"\"")];
        if (type == typeof(bool)) return [("true", "true"), ("false", "false"), ("True", "true")];
        if (type == typeof(int)) return [("7", "7"), ("-3", "-3"), ("2147483647", "2147483647")];
        if (type == typeof(ulong)) return [("0", "0"), ("18446744073709551615", "18446744073709551615")];
        if (type == typeof(double)) return [("0.25", "0.25"), ("3", "3"), ("-2.5e-3", "-0.0025")];
        if (type == typeof(float)) return [("0.25", "0.25"), ("3", "3")];
        if (type.IsEnum)
        {
            string[] names = Enum.GetNames(type);
            return [(names[0], $"\"{names[0]}\""), (names[^1], $"\"{names[^1]}\"")];
        }
        if (ElementType(type) is { } element)
        {
            var items = Valid(element, options).Where(v => v.Text.Length > 0 && !v.Text.Contains(',', StringComparison.Ordinal)).Take(2).ToList();
            string json = $"[{string.Join(",", items.Select(i => i.Json))}]";
            return [(string.Join(",", items.Select(i => i.Text)), json), (json, json), ("", "[]")];
        }
        if (IsSection(type))
        {
            // The section set whole: one key given, the others take the section type's own defaults.
            var (name, memberType) = FirstLeaf(type, options);
            var (_, memberJson) = Valid(memberType, options)[0];
            var expected = JsonSerializer.SerializeToNode(Activator.CreateInstance(type), type, options)!.AsObject();
            expected[name] = JsonNode.Parse(memberJson);
            return [($"{{\"{name}\":{memberJson}}}", expected.ToJsonString())];
        }
        throw new NotSupportedException($"no sample values for a field of type {type}: add them to {nameof(OverrideSamples)}");
    }

    /// <summary>Texts of the wrong type for a field of <paramref name="type"/>; none for text, which takes any text.</summary>
    public static IReadOnlyList<string> Wrong(Type type, JsonSerializerOptions options)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return [.. Wrong(inner, options).Where(w => w != "null")];
        if (type == typeof(string)) return [];
        if (type == typeof(bool)) return ["maybe", "1", "", "null"];
        if (type == typeof(int)) return ["1.5", "abc", "1e3", "", "null", "2147483648", "-2147483649", "[1]"];
        if (type == typeof(ulong)) return ["-1", "1.5", "abc", "", "null", "18446744073709551616"];
        if (type == typeof(double)) return ["abc", "NaN", "Infinity", "-Infinity", "1e400", "", "null", "0x10"];
        if (type == typeof(float)) return ["abc", "NaN", "Infinity", "1e39", "", "null"];
        if (type.IsEnum) return ["not-a-name", "null", "1.5"];
        if (ElementType(type) is { } element)
        {
            string first = Valid(element, options)[0].Text;
            bool text = element == typeof(string) || element.IsEnum;
            // "{}" as a comma list is one element, the text "{}": right for a list of text, wrong for one of numbers.
            var wrongs = new List<string> { "[{}]", "[[1]]", "[1" };
            if (!text) wrongs.Add("{}");
            // An element of the wrong type, in a comma list and, where it is a JSON number, in a JSON array.
            foreach (string w in Wrong(element, options).Where(w => w.Length > 0 && !w.Contains(',', StringComparison.Ordinal)))
            {
                wrongs.Add($"{first},{w}");
                if (IsJsonNumber(w)) wrongs.Add($"[{w}]");
            }
            if (text) wrongs.Add("[1]");
            else wrongs.Add("[\"1\"]");
            return wrongs;
        }
        if (IsSection(type))
        {
            var (name, memberType) = FirstLeaf(type, options);
            var wrongs = new List<string> { "5", "[1]", "\"x\"", "null", "x", "{\"no_such_key\":1}", $"{{\"{name}\":{{}}}}" };
            wrongs.AddRange(Wrong(memberType, options).Where(IsJsonNumber).Select(w => $"{{\"{name}\":{w}}}"));
            return wrongs;
        }
        throw new NotSupportedException($"no sample values for a field of type {type}: add them to {nameof(OverrideSamples)}");
    }

    private static bool IsJsonNumber(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonValue v && v.GetValueKind() == JsonValueKind.Number;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : null;

    private static bool IsSection(Type type) => type.IsClass && type != typeof(string) && !type.IsArray;

    private static (string Name, Type Type) FirstLeaf(Type section, JsonSerializerOptions options)
    {
        var info = options.GetTypeInfo(section);
        var leaf = info.Properties.First(p => p.Set is not null && (p.PropertyType.IsValueType || p.PropertyType == typeof(string)));
        return (leaf.Name, leaf.PropertyType);
    }
}
