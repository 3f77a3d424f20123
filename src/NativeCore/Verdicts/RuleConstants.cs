using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;

namespace NativeCore.Verdicts;

/// <summary>The named thresholds of a rule class, read from its constants, so that reports can never print stale values.</summary>
internal static class RuleConstants
{
    /// <summary>Every public constant of <paramref name="rules"/>, by name, in declaration order.</summary>
    public static IReadOnlyList<(string Name, double Value)> Of([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] Type rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return rules.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (f.Name, Convert.ToDouble(f.GetRawConstantValue(), CultureInfo.InvariantCulture)))
            .ToList();
    }
}
