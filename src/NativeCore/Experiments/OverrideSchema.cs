using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NativeCore.Experiments;

/// <summary>
/// What <c>--set</c> may set in a config type, read from the serializer's own contract for it, so that the keys are
/// exactly the JSON names a config file uses (a renamed or added field needs no second list to be kept in step).
/// </summary>
internal static class OverrideSchema
{
    // Integer fields are parsed as integers of unbounded size, then held to their type's range, so that 2^31 given to
    // an int is refused by name instead of wrapping or failing inside the serializer.
    private static readonly Dictionary<Type, (BigInteger Min, BigInteger Max)> IntegerRanges = new()
    {
        [typeof(byte)] = (byte.MinValue, byte.MaxValue),
        [typeof(sbyte)] = (sbyte.MinValue, sbyte.MaxValue),
        [typeof(short)] = (short.MinValue, short.MaxValue),
        [typeof(ushort)] = (ushort.MinValue, ushort.MaxValue),
        [typeof(int)] = (int.MinValue, int.MaxValue),
        [typeof(uint)] = (uint.MinValue, uint.MaxValue),
        [typeof(long)] = (long.MinValue, long.MaxValue),
        [typeof(ulong)] = (ulong.MinValue, ulong.MaxValue),
    };

    /// <summary>The type information of <paramref name="type"/>; options without a resolver get the reflection-based one.</summary>
    public static JsonTypeInfo Info(Type type, JsonSerializerOptions options)
    {
        // Every setting's options name a source-generated resolver, which knows each type its config reaches.
        return options.GetTypeInfo(type);
    }

    /// <summary>The fields of <paramref name="type"/> a config file (and so <c>--set</c>) can give a value, in declaration order.</summary>
    public static IEnumerable<JsonPropertyInfo> Settable(Type type, JsonSerializerOptions options) =>
        Info(type, options).Properties.Where(p => p.Set is not null);

    /// <summary>The settable field named <paramref name="name"/> (as in JSON, case-sensitive), or null.</summary>
    public static JsonPropertyInfo? Find(Type type, string name, JsonSerializerOptions options) =>
        Settable(type, options).FirstOrDefault(p => p.Name == name);

    /// <summary>Whether <paramref name="type"/> is a section: an object with keys of its own.</summary>
    public static bool IsSection(Type type, JsonSerializerOptions options) => Info(type, options).Kind == JsonTypeInfoKind.Object;

    /// <summary>The element type when <paramref name="type"/> is a list (array or collection), else null.</summary>
    public static Type? ElementType(Type type, JsonSerializerOptions options) =>
        Info(type, options) is { Kind: JsonTypeInfoKind.Enumerable } info ? info.ElementType : null;

    /// <summary>The range of an integer type, or null when <paramref name="type"/> is no integer type.</summary>
    public static (BigInteger Min, BigInteger Max)? IntegerRange(Type type) => IntegerRanges.TryGetValue(type, out var r) ? r : null;

    /// <summary>What a value of <paramref name="type"/> looks like, in words for an error message.</summary>
    public static string Expected(Type type, JsonSerializerOptions options)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return $"{Expected(inner, options)}, or null";
        if (type == typeof(string)) return "text";
        if (type == typeof(bool)) return "true or false";
        if (IntegerRange(type) is var (min, max)) return string.Create(CultureInfo.InvariantCulture, $"an integer from {min} to {max}");
        if (type == typeof(double) || type == typeof(float)) return "a finite number";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type))}";
        if (ElementType(type, options) is { } element) return $"a list (comma-separated, or a JSON array) whose elements are each {Expected(element, options)}";
        if (IsSection(type, options)) return $"a JSON object with keys among {string.Join(", ", Settable(type, options).Select(p => p.Name))}";
        return type.Name;
    }
}
