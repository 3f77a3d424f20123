namespace NativeCore.Tasks;

/// <summary>
/// The token vocabulary (spec §3 default): PAD, SOS, SOT, EOT, ART, EOS, five task tokens, the terminals a b c, the
/// nine pairs aa…cc, NULL, NONE, and the numbers 0…255 as single tokens: 281 ids in all.
/// </summary>
public static class Vocabulary
{
#pragma warning disable CS1591 // The special tokens' names are their documentation.
    public const int Pad = 0, Sos = 1, Sot = 2, Eot = 3, Art = 4, Eos = 5;
    public const int FirstTask = 6;
    public const int FirstTerminal = 11;
    public const int FirstPair = 14;
    public const int Null = 23, None = 24;
    public const int FirstNumber = 25;
#pragma warning restore CS1591

    /// <summary>Largest number with its own token.</summary>
    public const int MaxNumber = 255;

    /// <summary>Number of token ids.</summary>
    public const int Size = FirstNumber + MaxNumber + 1;

    private static readonly string[] Names = BuildNames();

    /// <summary>The token of the task's name.</summary>
    public static int Task(TaskKind task) => FirstTask + (int)task;

    /// <summary>The token of terminal 0 (a), 1 (b) or 2 (c).</summary>
    public static int Terminal(int terminal) => FirstTerminal + terminal;

    /// <summary>The token of the pair (first, second).</summary>
    public static int Pair(int first, int second) => FirstPair + first * 3 + second;

    /// <summary>The token of <paramref name="n"/> (0…255).</summary>
    public static int Number(int n) => n is >= 0 and <= MaxNumber
        ? FirstNumber + n
        : throw new ArgumentOutOfRangeException(nameof(n), $"number {n} has no token (0…{MaxNumber})");

    /// <summary>The printable name of a token id.</summary>
    public static string Name(int token) => (uint)token < Size ? Names[token] : throw new ArgumentOutOfRangeException(nameof(token), $"token id {token} is outside the vocabulary of {Size}");

    /// <summary>The id of a printable name (the inverse of <see cref="Name"/>).</summary>
    public static int Parse(string name)
    {
        int i = Array.IndexOf(Names, name);
        return i >= 0 ? i : throw new InvalidConfigException($"'{name}' is not a token name");
    }

    /// <summary>A readable form of a token sequence, PAD omitted.</summary>
    public static string Decode(ReadOnlySpan<int> tokens)
    {
        var parts = new List<string>(tokens.Length);
        foreach (int t in tokens)
            if (t != Pad) parts.Add(Name(t));
        return string.Join(' ', parts);
    }

    private static string[] BuildNames()
    {
        var names = new string[Size];
        string[] special = ["PAD", "SOS", "SOT", "EOT", "ART", "EOS"];
        special.CopyTo(names, 0);
        foreach (TaskKind t in Enum.GetValues<TaskKind>()) names[Task(t)] = t.ToString();
        for (int i = 0; i < 3; i++) names[Terminal(i)] = ((char)('a' + i)).ToString();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) names[Pair(i, j)] = $"{(char)('a' + i)}{(char)('a' + j)}";
        names[Null] = "NULL";
        names[None] = "NONE";
        for (int n = 0; n <= MaxNumber; n++) names[FirstNumber + n] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return names;
    }
}
