namespace NativeCore.Tracr;

/// <summary>A RASP predicate, called as predicate(key, query) the way RASP calls it: LT selects keys smaller than the query.</summary>
internal enum Comparison
{
    /// <summary>key == query.</summary>
    EQ,
    /// <summary>key &lt; query.</summary>
    LT,
    /// <summary>key ≤ query.</summary>
    LEQ,
    /// <summary>key &gt; query.</summary>
    GT,
    /// <summary>key ≥ query.</summary>
    GEQ,
    /// <summary>key ≠ query.</summary>
    NEQ,
    /// <summary>Always selected.</summary>
    TRUE,
}

/// <summary>Evaluates <see cref="Comparison"/>s.</summary>
internal static class Comparisons
{
    /// <summary>Whether <paramref name="comparison"/>(key, query) holds.</summary>
    public static bool Holds(this Comparison comparison, RaspValue key, RaspValue query) => comparison switch
    {
        Comparison.EQ => key == query,
        Comparison.NEQ => key != query,
        Comparison.LT => key < query,
        Comparison.LEQ => key <= query,
        Comparison.GT => key > query,
        Comparison.GEQ => key >= query,
        Comparison.TRUE => true,
        _ => throw new ArgumentOutOfRangeException(nameof(comparison)),
    };
}

/// <summary>A RASP sequence operation (an SOp): a value at every position. Every SOp is categorical here.</summary>
internal abstract class Sop
{
    private protected Sop(string label)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        Label = label;
    }

    /// <summary>The name of this variable: its residual directions are <c>label:value</c>.</summary>
    public string Label { get; }

    /// <summary>The SOps this one reads directly.</summary>
    public abstract IEnumerable<Sop> Inputs { get; }

    /// <inheritdoc />
    public override string ToString() => Label;
}

/// <summary>The input tokens.</summary>
internal sealed class TokensSop : Sop
{
    /// <summary>The one tokens primitive.</summary>
    public static TokensSop Instance { get; } = new();

    private TokensSop() : base("tokens") { }

    /// <inheritdoc />
    public override IEnumerable<Sop> Inputs => [];
}

/// <summary>The positions 0…n−1.</summary>
internal sealed class IndicesSop : Sop
{
    /// <summary>The one indices primitive.</summary>
    public static IndicesSop Instance { get; } = new();

    private IndicesSop() : base("indices") { }

    /// <inheritdoc />
    public override IEnumerable<Sop> Inputs => [];
}

/// <summary>A categorical Map: f applied at every position (compiled to an MLP lookup table).</summary>
internal sealed class MapSop(Sop input, Func<RaspValue, RaspValue> function, string label) : Sop(label)
{
    /// <summary>The SOp mapped.</summary>
    public Sop Input { get; } = input ?? throw new ArgumentNullException(nameof(input));

    /// <summary>The function, applied to each value of <see cref="Input"/>'s value set at compile time.</summary>
    public Func<RaspValue, RaspValue> Function { get; } = function ?? throw new ArgumentNullException(nameof(function));

    /// <inheritdoc />
    public override IEnumerable<Sop> Inputs => [Input];
}

/// <summary>A selection matrix: query position q selects key position k when predicate(keys[k], queries[q]).</summary>
internal sealed class Selector(Sop keys, Sop queries, Comparison predicate)
{
    /// <summary>The key SOp.</summary>
    public Sop Keys { get; } = keys ?? throw new ArgumentNullException(nameof(keys));

    /// <summary>The query SOp.</summary>
    public Sop Queries { get; } = queries ?? throw new ArgumentNullException(nameof(queries));

    /// <summary>The predicate.</summary>
    public Comparison Predicate { get; } = predicate;
}

/// <summary>The number of keys each query selects (compiled to a head plus a decoding MLP).</summary>
internal sealed class SelectorWidthSop(Selector selector, string label) : Sop(label)
{
    /// <summary>The selector counted.</summary>
    public Selector Selector { get; } = selector ?? throw new ArgumentNullException(nameof(selector));

    /// <summary>The direction the head writes 1/(w+1) to.</summary>
    public string AttentionOutputLabel => Label + "_selector_width_attn_output";

    /// <inheritdoc />
    public override IEnumerable<Sop> Inputs => [Selector.Keys, Selector.Queries];
}

/// <summary>
/// A categorical Aggregate: each query takes the value of <see cref="Source"/> at the keys it selects (compiled to one
/// head). Defined when the selected values agree; the programs here select exactly one key.
/// </summary>
internal sealed class AggregateSop(Selector selector, Sop source, string label) : Sop(label)
{
    /// <summary>The selector.</summary>
    public Selector Selector { get; } = selector ?? throw new ArgumentNullException(nameof(selector));

    /// <summary>The SOp whose values are moved.</summary>
    public Sop Source { get; } = source ?? throw new ArgumentNullException(nameof(source));

    /// <inheritdoc />
    public override IEnumerable<Sop> Inputs => [Selector.Keys, Selector.Queries, Source];
}
