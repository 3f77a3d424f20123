using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using NativeCore.Experiments;
using NativeCore.Stories;
using Xunit.Abstractions;

namespace NativeCore.Tests.Fuzz;

/// <summary>
/// Mutated presets and random <c>--set</c> overrides load, or are refused with <see cref="InvalidConfigException"/>
/// naming the preset file or the key.
/// </summary>
public sealed class ConfigFuzzTests(ITestOutputHelper output) : TempDirectoryTest
{
    private static readonly Type[] Documented = [typeof(InvalidConfigException)];

    private static byte[] PresetBytes(string name)
    {
        using var stream = typeof(ConfigLoader).Assembly.GetManifestResourceStream($"NativeCore.Experiments.Presets.{name}.json")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public void Mutated_preset_files_load_or_are_refused_naming_the_file()
    {
        const int iterations = 3000;
        string[] names = [.. ConfigLoader.PresetNames];
        var originals = names.Select(n => new JsonOriginal(PresetBytes(n))).ToArray();
        string path = Dir("preset.json");
        string[] expected = [.. originals.Select(o =>
        {
            File.WriteAllBytes(path, o.Bytes);
            return ConfigLoader.ToJson(ConfigLoader.Load(path));
        })];
        var gen = Gen.Int[0, originals.Length - 1].SelectMany(o => originals[o].Mutations, (o, m) => new PresetCase(names[o], o, m));
        var tally = FuzzProperty.Check(output, "preset files (ConfigLoader.Load)", gen, iterations, "presetfile01", c =>
        {
            byte[] bytes = originals[c.Original].Apply(c.Mutation);
            File.WriteAllBytes(path, bytes);
            return new Trial(() => ConfigLoader.Load(path), Documented, [path], bytes.Length,
                originals[c.Original].SameMeaning(bytes) ? (expected[c.Original], r => ConfigLoader.ToJson((RunConfig)r!)) : null);
        });
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }

    private sealed record PresetCase(string Preset, int Original, JsonFileMutation Mutation)
    {
        public override string ToString() => $"{Preset}.json: {Mutation}";
    }

    /// <summary>Every dotted key of a config, sections included, as <c>--set</c> names it.</summary>
    private static List<string> Keys(JsonNode node, string prefix = "")
    {
        var keys = new List<string>();
        if (node is not JsonObject obj) return keys;
        foreach (var (k, v) in obj)
        {
            string key = prefix.Length == 0 ? k : $"{prefix}.{k}";
            keys.Add(key);
            if (v is not null) keys.AddRange(Keys(v, key));
        }
        return keys;
    }

    // Values an override may carry: numbers past int and double, fractions, names the enums and priors take, JSON
    // arrays (with null), a section's JSON, and text.
    private static readonly string[] OverrideValues =
    [
        "0", "-1", "1", "2", "3", "7", "64", "1e9", "2147483648", "99999999999999999999", "1.5", "-0.5", "0.001", "1e400", "NaN", "Infinity",
        "true", "false", "", "x", "null", "high", "low", "0.5,0.5,0", "0.5,0.6,0", "1,2", "C", "I", "CC", "T", "counter", "answer",
        "[1]", "[null]", "[]", "[\"a\"]", "[[1]]", "[1e-3,1e-4]", "[0,1]", "{}", "{\"n_layer\":1}", "{\"n_layer\":1,\"n_layer\":2}",
        "rope", "swiglu", "rmsnorm", "none", "relu", "gelu_tanh", "learned", "procedural",
    ];

    private static readonly string[] Misspellings = ["x", ".", "..", ".x", " "];

    /// <summary>Lists of one to four <c>key=value</c> overrides over <paramref name="keys"/>, some keys misspelt.</summary>
    private static Gen<string[]> Overrides(IReadOnlyList<string> keys)
    {
        var known = Gen.OneOf(keys.ToArray());
        var key = Gen.Frequency(
            (8, known),
            (1, Gen.Select(known, Gen.OneOf(Misspellings), (k, s) => k + s)),
            (1, Gen.String[Gen.Char[' ', '~'], 0, 10]));
        var value = Gen.Frequency((5, Gen.OneOf(OverrideValues)), (1, Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))), (1, Gen.String[Gen.Char[' ', '~'], 0, 10]));
        var assignment = Gen.Frequency(
            (12, Gen.Select(key, value, (k, v) => $"{k}={v}")),
            (1, key),
            (1, value.Select(v => $"={v}")));
        return assignment.Array[1, 4];
    }

    /// <summary>Whether <paramref name="message"/> names one of the overridden keys (in full, or its field as the memory estimate does).</summary>
    private static bool NamesAKey(string message, string[] overrides) => overrides.Any(o =>
    {
        string key = o.Split('=')[0].Trim();
        return message.Contains(key, StringComparison.Ordinal) || message.Contains(o.Trim(), StringComparison.Ordinal)
            || (key.Contains('.', StringComparison.Ordinal) && message.Contains(key[(key.LastIndexOf('.') + 1)..] + "=", StringComparison.Ordinal));
    });

    [Fact]
    public void Random_run_config_overrides_load_or_are_refused_naming_the_key()
    {
        // Overrides take microseconds, so they get more cases.
        const int iterations = 6000;
        var keys = Keys(JsonSerializer.SerializeToNode(ConfigLoader.Load("smoke"), ConfigLoader.Writing)!);
        var tally = FuzzProperty.Check(output, "--set overrides (ConfigLoader.Load smoke)", Overrides(keys).Select(o => new OverrideCase(o)), iterations, "overrides001", c =>
            new Trial(() => ConfigLoader.Load("smoke", c.Assignments), Documented, ["one of the keys"], 0, Names: m => NamesAKey(m, c.Assignments)));
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }

    [Fact]
    public void Random_stories_overrides_load_or_are_refused_naming_the_key()
    {
        const int iterations = 6000;
        var keys = Keys(JsonSerializer.SerializeToNode(new StoriesConfig())!);
        var tally = FuzzProperty.Check(output, "--set overrides (StoriesConfig.WithOverrides)", Overrides(keys).Select(o => new OverrideCase(o)), iterations, "overrides002", c =>
            new Trial(() =>
            {
                // What the stories commands do with their overrides before anything is trained.
                var config = new StoriesConfig().WithOverrides(c.Assignments);
                config.Validate();
                config.Model.Validate();
                return config;
            }, Documented, ["one of the keys"], 0, Names: m => NamesAKey(m, c.Assignments)));
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }

    private sealed record OverrideCase(string[] Assignments)
    {
        public override string ToString() => string.Join(" ", Assignments.Select(a => $"--set '{a}'"));
    }
}
