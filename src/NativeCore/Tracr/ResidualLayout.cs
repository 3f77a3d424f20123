namespace NativeCore.Tracr;

/// <summary>One named direction of the residual stream: a (variable, value) pair, or a 1-d variable with no value.</summary>
/// <param name="Name">The variable: tokens, indices, one, a program label, or a head's hidden output.</param>
/// <param name="Value">The value this one-hot direction stands for; null for a 1-d direction.</param>
internal sealed record Direction(string Name, RaspValue? Value)
{
    /// <summary><c>name:value</c>, or the bare name.</summary>
    public override string ToString() => Value is { } v ? $"{Name}:{v}" : Name;
}

/// <summary>
/// The residual stream of a compiled model: every direction by name, sorted by (name, value) as Tracr sorts them, so
/// each coordinate of the model's width has a readable meaning in plots and sidecars.
/// </summary>
internal sealed class ResidualLayout
{
    private readonly Dictionary<Direction, int> _index = new();

    /// <summary>Sorts and indexes <paramref name="directions"/> (duplicates are merged).</summary>
    public ResidualLayout(IEnumerable<Direction> directions)
    {
        ArgumentNullException.ThrowIfNull(directions);
        Directions = directions.Distinct()
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ThenBy(d => d.Value.HasValue)
            .ThenBy(d => d.Value ?? default)
            .ToList();
        for (int i = 0; i < Directions.Count; i++) _index[Directions[i]] = i;
    }

    /// <summary>The directions in order; index i is coordinate i of the residual stream.</summary>
    public IReadOnlyList<Direction> Directions { get; }

    /// <summary>The residual width.</summary>
    public int Width => Directions.Count;

    /// <summary>The coordinate of <c>name:value</c>.</summary>
    public int this[string name, RaspValue value] => Of(new Direction(name, value));

    /// <summary>The coordinate of the 1-d direction <paramref name="name"/>.</summary>
    public int this[string name] => Of(new Direction(name, null));

    /// <summary>The coordinate of <paramref name="direction"/>.</summary>
    public int Of(Direction direction) => _index.TryGetValue(direction, out int i)
        ? i
        : throw new KeyNotFoundException($"the residual stream has no direction '{direction}'");

    /// <summary>The values of variable <paramref name="name"/>, in layout order.</summary>
    public IReadOnlyList<RaspValue> ValuesOf(string name) =>
        Directions.Where(d => d.Name == name && d.Value.HasValue).Select(d => d.Value!.Value).ToList();
}
