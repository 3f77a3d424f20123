using NativeCore.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NativeCore.Experiments;

/// <summary>
/// The one parser of <c>--set key=value</c> overrides, for every setting (grammar, tracr, stories). The keys are the
/// config's JSON names, dotted into sections, read from the serializer's contract; each value is parsed as its
/// field's type. Ranges are not checked here: each setting's Validate does that, with its own messages.
/// </summary>
internal static class Overrides
{
    /// <summary>
    /// <paramref name="value"/> with <paramref name="overrides"/> (<c>key=value</c>, <c>section.key=value</c>) applied
    /// in order. A section takes a JSON object; a list takes a JSON array or comma-separated elements; the literal
    /// <c>null</c> clears a field that may be null.
    /// </summary>
    /// <param name="value">The config to start from; it is not changed.</param>
    /// <param name="overrides">The assignments, as given to <c>--set</c>.</param>
    /// <param name="settingName">The setting's name, for messages (grammar, tracr, stories).</param>
    /// <param name="options">The options the setting reads its config with; they decide the keys and how values read.</param>
    /// <exception cref="InvalidConfigException">
    /// An assignment without <c>=</c>, an unknown key (the message lists the valid keys at that level), or a value
    /// of the wrong type (the message names the key and what it takes).
    /// </exception>
    public static T Apply<T>(T value, IEnumerable<string> overrides, string settingName, JsonSerializerOptions options) where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(settingName);
        ArgumentNullException.ThrowIfNull(options);
        if (JsonSerializer.SerializeToNode(value, IO.JsonMetadata.For<T>(options)) is not JsonObject root)
            throw new ArgumentException($"{typeof(T).Name} does not serialise to a JSON object", nameof(value));
        ApplyTo(root, typeof(T), overrides, settingName, options);
        try
        {
            return root.Deserialize(IO.JsonMetadata.For<T>(options)) ?? throw new InvalidConfigException($"--set: the {settingName} config read back as null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Each value was checked against its field on the way in, so this is a backstop: a user error all the same.
            string why = e is JsonException je ? IO.JsonFiles.Describe(je, root) : e.Message;
            throw new InvalidConfigException($"--set: the {settingName} config cannot be read back: {why}");
        }
    }

    /// <summary>
    /// Applies <paramref name="overrides"/> to <paramref name="root"/>, the JSON of a <paramref name="type"/> that may
    /// leave keys and sections out (a preset file): a key it leaves out is set all the same, and a section it leaves out
    /// starts empty, so that the section type's defaults fill the rest when it is read.
    /// </summary>
    /// <inheritdoc cref="Apply{T}" path="/exception"/>
    public static void ApplyTo(JsonObject root, Type type, IEnumerable<string> overrides, string settingName, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(settingName);
        ArgumentNullException.ThrowIfNull(options);
        foreach (string assignment in overrides) Assign(root, type, assignment, settingName, options);
    }

    /// <summary>
    /// Every key <c>--set</c> accepts for <typeparamref name="T"/> read with <paramref name="options"/>, sections and
    /// the keys inside them, depth first in declaration order.
    /// </summary>
    public static IReadOnlyList<OverrideKey> Keys<T>(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new List<OverrideKey>();
        void Walk(Type type, string prefix)
        {
            foreach (var property in OverrideSchema.Settable(type, options))
            {
                string key = prefix + property.Name;
                bool section = OverrideSchema.IsSection(property.PropertyType, options);
                keys.Add(new OverrideKey(key, property.PropertyType, section));
                if (section) Walk(property.PropertyType, key + ".");
            }
        }
        Walk(typeof(T), "");
        return keys;
    }

    private static void Assign(JsonObject root, Type type, string assignment, string settingName, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        string key = eq < 0 ? "" : assignment[..eq].Trim();
        if (key.Length == 0) throw new InvalidConfigException($"--set '{assignment}' must look like key=value");
        string text = assignment[(eq + 1)..].Trim();
        var values = new OverrideValues(settingName, key, options);
        string[] path = key.Split('.');
        var target = root;
        for (int i = 0; ; i++)
        {
            string at = string.Join('.', path[..i]);
            var property = OverrideSchema.Find(type, path[i], options) ?? throw values.Unknown(path[i], at, type);
            if (i == path.Length - 1)
            {
                target[path[i]] = values.ForProperty(text, property);
                return;
            }
            string here = at.Length == 0 ? path[i] : $"{at}.{path[i]}";
            if (!OverrideSchema.IsSection(property.PropertyType, options)) throw new InvalidConfigException($"--set {key}: '{here}' is a value, not a section");
            if (!target.TryGetPropertyValue(path[i], out var child)) target[path[i]] = child = new JsonObject();
            // Only JSON read from a file can hold null or a value where the contract has a section; the key cannot
            // be set in it, and reading the file would refuse it anyway.
            target = child as JsonObject ?? throw new InvalidConfigException($"--set {key}: '{here}' is {(child is null ? "null" : "a value")} where a section belongs");
            type = property.PropertyType;
        }
    }
}
