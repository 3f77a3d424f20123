using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NativeCore.IO;

namespace NativeCore.Tests.IO;

/// <summary>
/// The core's source-generated JSON metadata. Generated metadata builds an object whose init-only properties are left
/// out of the JSON with those properties' type defaults, not their initialisers (dotnet/runtime#84484), so a config
/// field declared <c>{ get; init; } = 100</c> would read as 0 from a preset that omits it. Every type the contexts
/// reach must read "{}" back as the object its parameterless constructor makes. Generated metadata also writes a value
/// tuple as {}, losing its fields, so none may be reached.
/// </summary>
public sealed class JsonContextTests
{
    private static IEnumerable<(string Context, JsonSerializerOptions Options)> Contexts() =>
    [
        ("config", new JsonSerializerOptions { TypeInfoResolver = ConfigJsonContext.Default }),
        ("core", new JsonSerializerOptions { TypeInfoResolver = CoreJsonContext.Default }),
    ];

    private static IEnumerable<Type> Roots(Type context) =>
        context.GetCustomAttributesData().Where(a => a.AttributeType.Name == "JsonSerializableAttribute").Select(a => (Type)a.ConstructorArguments[0].Value!);

    /// <summary>Every object type reachable from <paramref name="roots"/> through properties, elements and values.</summary>
    private static HashSet<Type> Reachable(JsonSerializerOptions options, IEnumerable<Type> roots)
    {
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(roots);
        while (queue.TryDequeue(out var type))
        {
            if (!seen.Add(type)) continue;
            var info = options.GetTypeInfo(type);
            foreach (var p in info.Properties) queue.Enqueue(p.PropertyType);
            if (info.ElementType is { } element) queue.Enqueue(element);
            if (info.KeyType is { } key) queue.Enqueue(key);
            if (Nullable.GetUnderlyingType(type) is { } inner) queue.Enqueue(inner);
        }
        return seen;
    }

    private static string Without(string json, IEnumerable<string> names)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        foreach (string name in names) node.Remove(name);
        return node.ToJsonString();
    }

    [Fact]
    public void Every_type_the_contexts_reach_reads_missing_fields_as_its_constructor_sets_them()
    {
        var contextTypes = new Dictionary<string, Type> { ["config"] = typeof(ConfigJsonContext), ["core"] = typeof(CoreJsonContext) };
        var wrong = new List<string>();
        int checkedTypes = 0;
        foreach (var (name, options) in Contexts())
        {
            var roots = Roots(contextTypes[name]).ToList();
            Assert.NotEmpty(roots);
            foreach (var type in Reachable(options, roots))
            {
                if (type.IsGenericType && type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal)) wrong.Add($"{name}: a value tuple is reached: {type}");
                var info = options.GetTypeInfo(type);
                if (info.Kind != JsonTypeInfoKind.Object || type.IsValueType || type.GetConstructor(Type.EmptyTypes) is null) continue;
                // A type with required members cannot be read from "{}" at all; its required fields have no default to lose.
                if (type.GetCustomAttributes().Any(a => a.GetType().Name == "RequiredMemberAttribute")) continue;
                checkedTypes++;
                // A clock reading (a lineage's start time) is a default that differs from one construction to the next;
                // only the fields two constructions agree on are compared.
                var once = JsonSerializer.SerializeToNode(Activator.CreateInstance(type), info)!.AsObject();
                Thread.Sleep(2);
                var twice = JsonSerializer.SerializeToNode(Activator.CreateInstance(type), info)!.AsObject();
                var clocks = once.Where(kv => !System.Text.Json.Nodes.JsonNode.DeepEquals(kv.Value, twice[kv.Key])).Select(kv => kv.Key).ToList();
                string expected = Without(once.ToJsonString(), clocks);
                string actual = Without(JsonSerializer.Serialize(JsonSerializer.Deserialize("{}", info), info), clocks);
                if (actual != expected) wrong.Add($"{name}: {type.Name}: expected {expected}, read {actual}");
            }
        }
        Assert.True(checkedTypes >= 10, $"only {checkedTypes} config types were reached; the walk is broken");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
