using System.Globalization;

namespace NativeCore.Tracr;

/// <summary>
/// A value of a RASP sequence: a number, a boolean or a token. Booleans are numbers, as in Python: True equals 1 and
/// False equals 0, in equality, ordering and hashing. The paper's Counter relies on this: <c>Select(keys=bin,
/// queries=indices, EQ)</c> matches the query index 1 with the keys whose <c>bin</c> is True. Tokens compare
/// ordinally with each other; ordering a token against a number is an error, as in Python.
/// </summary>
internal readonly struct RaspValue : IEquatable<RaspValue>, IComparable<RaspValue>
{
    private readonly string? _text;

    private RaspValue(int number, bool isBool, string? text)
    {
        Number = number;
        IsBool = isBool;
        _text = text;
    }

    /// <summary>The numeric value (True = 1, False = 0); 0 for tokens.</summary>
    public int Number { get; }

    /// <summary>Whether this value was made from a boolean (only for display: True equals 1).</summary>
    public bool IsBool { get; }

    /// <summary>Whether this is a token rather than a number.</summary>
    public bool IsToken => _text is not null;

    /// <summary>The token text; throws for numbers.</summary>
    public string Token => _text ?? throw new InvalidOperationException($"{this} is a number, not a token");

    /// <summary>A number.</summary>
    public static RaspValue Of(int number) => new(number, false, null);

    /// <summary>A boolean: a number that prints as True or False.</summary>
    public static RaspValue Of(bool value) => new(value ? 1 : 0, true, null);

    /// <summary>A token.</summary>
    public static RaspValue Of(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(0, false, token);
    }

    /// <inheritdoc />
    public bool Equals(RaspValue other) => IsToken == other.IsToken && (IsToken ? string.Equals(_text, other._text, StringComparison.Ordinal) : Number == other.Number);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RaspValue v && Equals(v);

    /// <inheritdoc />
    public override int GetHashCode() => IsToken ? StringComparer.Ordinal.GetHashCode(_text!) : Number.GetHashCode();

    /// <summary>Numbers by value, tokens ordinally; a token against a number throws.</summary>
    public int CompareTo(RaspValue other)
    {
        if (IsToken != other.IsToken) throw new InvalidOperationException($"RASP cannot order {this} against {other}");
        return IsToken ? string.CompareOrdinal(_text, other._text) : Number.CompareTo(other.Number);
    }

    /// <summary>True/False for booleans, digits for numbers, the token text for tokens.</summary>
    public override string ToString() => IsToken ? _text! : IsBool ? (Number != 0 ? "True" : "False") : Number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Equality.</summary>
    public static bool operator ==(RaspValue a, RaspValue b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(RaspValue a, RaspValue b) => !a.Equals(b);

    /// <summary>Ordering.</summary>
    public static bool operator <(RaspValue a, RaspValue b) => a.CompareTo(b) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(RaspValue a, RaspValue b) => a.CompareTo(b) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(RaspValue a, RaspValue b) => a.CompareTo(b) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(RaspValue a, RaspValue b) => a.CompareTo(b) >= 0;
}
