using System.Globalization;

namespace NativeCore.Tasks;

/// <summary>
/// A distribution over the operands (a, b, c) used in pre-training (spec §4). It says how relevant the capability
/// "count b" is before fine-tuning asks for it.
/// </summary>
public sealed record OperandPrior(string Name, double A, double B, double C)
{
    /// <summary>The named priors of the paper: low, medium and high.</summary>
    public static IReadOnlyDictionary<string, OperandPrior> Named { get; } = new Dictionary<string, OperandPrior>(StringComparer.Ordinal)
    {
        ["low"] = new("low", 0.999, 0.001, 0),
        ["medium"] = new("medium", 0.9, 0.1, 0),
        ["high"] = new("high", 0.5, 0.3, 0.2),
    };

    /// <summary>The probabilities as an array indexed by terminal.</summary>
    public double[] Weights => [A, B, C];

    /// <summary>
    /// Parses a named prior (<c>low</c>, <c>medium</c>, <c>high</c>) or a custom vector <c>pa,pb,pc</c> of non-negative
    /// numbers summing to 1.
    /// </summary>
    /// <exception cref="InvalidConfigException">Neither form fits; the message names the value.</exception>
    public static OperandPrior Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Named.TryGetValue(text, out var named)) return named;
        var parts = text.Split(',');
        if (parts.Length != 3)
            throw new InvalidConfigException($"prior '{text}' is neither a named prior ({string.Join(", ", Named.Keys)}) nor three comma-separated probabilities");
        var p = new double[3];
        for (int i = 0; i < 3; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out p[i]) || p[i] < 0 || !double.IsFinite(p[i]))
                throw new InvalidConfigException($"prior '{text}': '{parts[i]}' is not a non-negative probability");
        }
        if (Math.Abs(p.Sum() - 1) > 1e-6) throw new InvalidConfigException($"prior '{text}' sums to {p.Sum()}, not 1");
        return new OperandPrior(text, p[0], p[1], p[2]);
    }

    /// <summary>Draws a terminal (0, 1 or 2).</summary>
    public int Sample(ref SampleRng rng)
    {
        double u = rng.NextDouble();
        return u < A ? 0 : u < A + B ? 1 : 2;
    }

    /// <summary>The prior as text that <see cref="Parse"/> reads back.</summary>
    public override string ToString() => Named.ContainsKey(Name) ? Name : string.Create(CultureInfo.InvariantCulture, $"{A},{B},{C}");
}
