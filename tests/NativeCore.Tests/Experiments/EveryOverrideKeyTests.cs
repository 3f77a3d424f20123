using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace NativeCore.Tests.Experiments;

/// <summary>
/// Every key of every setting's config, found by reflection (the serialised default config, recursively, and the
/// serializer's contract), so that a key added later is tested without anyone listing it: a value of the field's type
/// lands in the field, and a value of the wrong type is refused by the setting's own <c>--set</c> naming the key.
/// </summary>
public sealed class EveryOverrideKeyTests(ITestOutputHelper output)
{
    /// <summary>(setting, key) for every key of every setting: those the default config serialises and those the contract lists.</summary>
    public static TheoryData<string, string> EveryKey()
    {
        var data = new TheoryData<string, string>();
        foreach (var setting in OverrideSetting.All.Values)
        {
            var keys = OverrideSetting.KeysOf(setting.Defaults).Union(setting.Keys.Select(k => k.Key)).Order(StringComparer.Ordinal);
            foreach (string key in keys) data.Add(setting.Name, key);
        }
        return data;
    }

    [Fact]
    public void Every_serialised_key_is_settable_and_the_counts_are_reported()
    {
        foreach (var setting in OverrideSetting.All.Values)
        {
            var settable = setting.Keys.Select(k => k.Key).ToHashSet();
            Assert.All(OverrideSetting.KeysOf(setting.Defaults), key => Assert.Contains(key, settable));
            output.WriteLine($"{setting.Name}: {setting.Keys.Count} keys ({setting.Keys.Count(k => k.IsSection)} sections, {setting.Keys.Count(k => !k.IsSection)} values)");
        }
    }

    [Theory]
    [MemberData(nameof(EveryKey))]
    public void A_value_of_the_fields_type_lands_in_the_field(string settingName, string key)
    {
        var setting = OverrideSetting.All[settingName];
        var field = setting.Keys.SingleOrDefault(k => k.Key == key);
        Assert.True(field is not null, $"{settingName}: '{key}' is in the serialised config but --set cannot set it");
        foreach (var (text, json) in OverrideSamples.Valid(field.Type, setting.Options))
        {
            var result = setting.Parse([$"{key}={text}"]);
            var expected = JsonNode.Parse(json);
            var actual = OverrideSetting.At(result, key);
            Assert.True(JsonNode.DeepEquals(expected, actual), $"{settingName} --set {key}={text}: expected {json}, got {actual?.ToJsonString() ?? "null"}");
        }
    }

    [Theory]
    [MemberData(nameof(EveryKey))]
    public void A_value_of_the_wrong_type_is_refused_naming_the_key(string settingName, string key)
    {
        var setting = OverrideSetting.All[settingName];
        var field = setting.Keys.SingleOrDefault(k => k.Key == key);
        Assert.True(field is not null, $"{settingName}: '{key}' is in the serialised config but --set cannot set it");
        foreach (string text in OverrideSamples.Wrong(field.Type, setting.Options))
        {
            var e = Record.Exception(() => setting.Entry([$"{key}={text}"]));
            Assert.True(e is InvalidConfigException, $"{settingName} --set {key}={text}: expected InvalidConfigException, got {e?.GetType().Name ?? "no exception"}");
            Assert.StartsWith($"--set {key}: ", e!.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("grammar")]
    [InlineData("tracr")]
    [InlineData("stories")]
    public void An_unknown_key_is_refused_naming_it_and_the_valid_keys(string settingName)
    {
        var setting = OverrideSetting.All[settingName];
        var e = Assert.Throws<InvalidConfigException>(() => setting.Entry(["no_such_key=1"]));
        Assert.StartsWith($"--set no_such_key: unknown key 'no_such_key' in the {settingName} setting; valid keys: ", e.Message, StringComparison.Ordinal);
        Assert.All(setting.Keys.Where(k => !k.Key.Contains('.', StringComparison.Ordinal)), k => Assert.Contains(k.Key, e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("grammar")]
    [InlineData("tracr")]
    [InlineData("stories")]
    public void An_unknown_key_inside_a_section_or_under_a_value_is_refused_naming_it(string settingName)
    {
        var setting = OverrideSetting.All[settingName];
        foreach (var field in setting.Keys)
        {
            string key = $"{field.Key}.no_such_key";
            var e = Assert.Throws<InvalidConfigException>(() => setting.Entry([$"{key}=1"]));
            Assert.StartsWith($"--set {key}: ", e.Message, StringComparison.Ordinal);
            Assert.Contains(field.IsSection ? $"unknown key 'no_such_key' in section '{field.Key}'" : $"'{field.Key}' is a value, not a section", e.Message, StringComparison.Ordinal);
        }
    }
}
