namespace NativeCore.Experiments;

/// <summary>One key that <c>--set</c> accepts for a setting.</summary>
/// <param name="Key">The dotted key, as the config's JSON names it (<c>pretrain.lr</c>).</param>
/// <param name="Type">The field's .NET type.</param>
/// <param name="IsSection">Whether the key names a section, which takes a JSON object, rather than a single value.</param>
internal sealed record OverrideKey(string Key, Type Type, bool IsSection);
