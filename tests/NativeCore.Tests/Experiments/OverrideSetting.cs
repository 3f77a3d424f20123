using System.Text.Json;
using System.Text.Json.Nodes;
using NativeCore.Experiments;
using NativeCore.Stories;
using NativeCore.Tracr;

namespace NativeCore.Tests.Experiments;

/// <summary>One setting as the override tests see it: its keys, its defaults, the parser alone and the setting's own entry point.</summary>
/// <param name="Name">grammar, tracr or stories.</param>
/// <param name="Keys">What <see cref="Overrides.Keys{T}"/> lists for the setting's config type.</param>
/// <param name="Defaults">The default config, serialised as the setting serialises it.</param>
/// <param name="Parse">Overrides applied to the defaults by <see cref="Overrides.Apply{T}"/> alone (no range checks), serialised back.</param>
/// <param name="Entry">What <c>--set</c> goes through in that setting (range checks included).</param>
/// <param name="Options">The options the setting reads its config with.</param>
internal sealed record OverrideSetting(
    string Name,
    IReadOnlyList<OverrideKey> Keys,
    JsonObject Defaults,
    Func<IEnumerable<string>, JsonObject> Parse,
    Action<IEnumerable<string>> Entry,
    JsonSerializerOptions Options)
{
    /// <summary>Every setting, by name.</summary>
    public static IReadOnlyDictionary<string, OverrideSetting> All { get; } = new[]
    {
        Of("grammar", new RunConfig(), ConfigLoader.Reading, o => ConfigLoader.Load("smoke", o)),
        Of("tracr", new TracrRecipe(), TracrRecipe.OverrideOptions, o => new TracrRecipe().WithOverrides(o)),
        Of("tracr paper", new TracrPaperConfig(), TracrPaperConfig.OverrideOptions, o => new TracrPaperConfig().WithOverrides(o)),
        Of("stories paper", new StoriesPaperConfig(), StoriesPaperConfig.OverrideOptions, o => new StoriesPaperConfig().WithOverrides(o)),
        Of("stories", new StoriesConfig(), StoriesConfig.Reading, o => new StoriesConfig().WithOverrides(o)),
    }.ToDictionary(s => s.Name);

    private static OverrideSetting Of<T>(string name, T defaults, JsonSerializerOptions options, Action<IEnumerable<string>> entry) where T : class =>
        new(name, Overrides.Keys<T>(options), Serialise(defaults, options), o => Serialise(Overrides.Apply(defaults, o, name, options), options), entry, options);

    private static JsonObject Serialise<T>(T value, JsonSerializerOptions options) => JsonSerializer.SerializeToNode(value, options)!.AsObject();

    /// <summary>Every dotted key of <paramref name="node"/>, sections and the keys inside them.</summary>
    public static IEnumerable<string> KeysOf(JsonObject node, string prefix = "")
    {
        foreach (var (name, value) in node)
        {
            string key = prefix + name;
            yield return key;
            if (value is JsonObject section)
                foreach (string inner in KeysOf(section, key + ".")) yield return inner;
        }
    }

    /// <summary>The value at dotted <paramref name="key"/> in <paramref name="node"/>.</summary>
    public static JsonNode? At(JsonObject node, string key)
    {
        JsonNode? here = node;
        foreach (string name in key.Split('.'))
        {
            Assert.True(here is JsonObject o && o.ContainsKey(name), $"'{key}' is not in {node.ToJsonString()}");
            here = here![name];
        }
        return here;
    }
}
