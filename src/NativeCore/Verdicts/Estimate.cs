using System.Globalization;

namespace NativeCore.Verdicts;

/// <summary>
/// A measured quantity with a 95% interval that need not be symmetric. Accuracies get Wilson score intervals;
/// differences combine the two sides' margins in quadrature (Newcombe's hybrid score method), which is what
/// "clear of the combined interval" means everywhere in the verdict rules.
/// </summary>
/// <param name="Value">The point estimate.</param>
/// <param name="Low">Lower end of the 95% interval.</param>
/// <param name="High">Upper end of the 95% interval.</param>
internal readonly record struct Estimate(double Value, double Low, double High)
{
    /// <summary>The normal quantile of a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>An exact number: a threshold, a step budget or a fixed count.</summary>
    public static Estimate Exact(double value) => new(value, value, value);

    /// <summary>A proportion of <paramref name="n"/> trials with its Wilson score interval; n = 0 gives [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The accuracy is outside [0, 1] or n is negative.</exception>
    public static Estimate Proportion(double accuracy, int n)
    {
        if (!(accuracy is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(accuracy), accuracy, "an accuracy lies in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (n == 0) return new Estimate(accuracy, 0, 1);
        double z2 = Z95 * Z95, denominator = 1 + z2 / n;
        double centre = (accuracy + z2 / (2 * n)) / denominator;
        double half = Z95 * Math.Sqrt(accuracy * (1 - accuracy) / n + z2 / (4.0 * n * n)) / denominator;
        return new Estimate(accuracy, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>A held-out accuracy with its Wilson interval.</summary>
    public static Estimate Of(Training.SetAccuracy accuracy)
    {
        ArgumentNullException.ThrowIfNull(accuracy);
        return Proportion(accuracy.Accuracy, accuracy.Size);
    }

    /// <summary>Room below the point estimate.</summary>
    public double Below => Value - Low;

    /// <summary>Room above the point estimate.</summary>
    public double Above => High - Value;

    /// <summary>this − other, with the margins combined in quadrature (Newcombe).</summary>
    public Estimate Minus(Estimate other) => new(Value - other.Value,
        Value - other.Value - Math.Sqrt(Below * Below + other.Above * other.Above),
        Value - other.Value + Math.Sqrt(Above * Above + other.Below * other.Below));

    /// <summary>this + other, with the margins combined in quadrature.</summary>
    public Estimate Plus(Estimate other) => new(Value + other.Value,
        Value + other.Value - Math.Sqrt(Below * Below + other.Below * other.Below),
        Value + other.Value + Math.Sqrt(Above * Above + other.Above * other.Above));

    /// <summary>The estimate times a non-negative factor.</summary>
    public Estimate Times(double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(factor);
        return new Estimate(Value * factor, Low * factor, High * factor);
    }

    /// <summary>Where the interval lies against <paramref name="threshold"/>: wholly at or above it, wholly below it, or across it.</summary>
    public Finding AtLeast(double threshold) => Low >= threshold ? Finding.Yes : High < threshold ? Finding.No : Finding.Unclear;

    /// <summary>Wholly at or below <paramref name="threshold"/> (yes), wholly above it (no), or across it.</summary>
    public Finding AtMost(double threshold) => High <= threshold ? Finding.Yes : Low > threshold ? Finding.No : Finding.Unclear;

    /// <summary>As points: "84.2 [81.8, 86.3]" for a proportion shown in percent.</summary>
    public string Points() => Math.Abs(High - Low) < 1e-12
        ? (Value * 100).ToString("0.0", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Value * 100:0.0} [{Low * 100:0.0}, {High * 100:0.0}]");

    /// <summary>As signed points for a difference: "+12.3 [+8.1, +16.4]".</summary>
    public string SignedPoints() => string.Create(CultureInfo.InvariantCulture, $"{Value * 100:+0.0;-0.0;0.0} [{Low * 100:+0.0;-0.0;0.0}, {High * 100:+0.0;-0.0;0.0}]");
}
