namespace NativeCore.Stories;

/// <summary>
/// One slot an expectation can be about, with the values a character may expect (A) and the values a twist may reveal
/// instead (B). Every (A, B) with A in <see cref="Expected"/> and B in <see cref="Revealed"/> is allowed.
/// </summary>
/// <param name="Name">box, door or noise.</param>
/// <param name="Expected">The A values.</param>
/// <param name="Revealed">The B values.</param>
internal sealed record StorySlot(string Name, IReadOnlyList<string> Expected, IReadOnlyList<string> Revealed)
{
    /// <summary>Whether a reveal of <paramref name="b"/> overturning <paramref name="a"/> is in this slot's table.</summary>
    public bool Allows(string a, string b) => a != b && Expected.Contains(a) && Revealed.Contains(b);
}

/// <summary>The closed word lists the ProcStories templates draw from.</summary>
internal static class StoryLexicon
{
    /// <summary>Character names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lily", "tom", "mia", "ben", "sam", "anna", "max", "lucy", "jack", "emma", "leo", "zoe"];

    /// <summary>Things that hold something.</summary>
    public static IReadOnlyList<string> Containers { get; } = ["box", "bag", "basket", "chest", "jar"];

    /// <summary>Places.</summary>
    public static IReadOnlyList<string> Places { get; } = ["park", "garden", "forest", "beach", "yard", "kitchen"];

    /// <summary>Things children quarrel over or lose.</summary>
    public static IReadOnlyList<string> Things { get; } = ["kite", "swing", "crayon", "shovel", "blanket", "pillow"];

    /// <summary>The three slots and their (A, B) tables.</summary>
    public static IReadOnlyList<StorySlot> Slots { get; } =
    [
        new("box", ["ball", "toy", "cake", "book", "hat", "doll"], ["kitten", "puppy", "frog", "bunny", "mouse", "snail"]),
        new("door", ["grandma", "grandpa", "dad", "mom", "uncle", "aunt"], ["dog", "duck", "goat", "pony", "fox", "bear"]),
        new("noise", ["wind", "rain", "car", "clock", "train", "bell"], ["owl", "squirrel", "hedgehog", "parrot", "cricket", "raccoon"]),
    ];

    /// <summary>The slot called <paramref name="name"/>.</summary>
    public static StorySlot Slot(string name) => Slots.First(s => s.Name == name);

    /// <summary>Every expected (A) value of every slot.</summary>
    private static readonly IReadOnlyList<string> AnyExpected = Slots.SelectMany(s => s.Expected).ToList();

    /// <summary>Every value a slot can hold or reveal.</summary>
    private static readonly IReadOnlyList<string> AnyValue = Slots.SelectMany(s => s.Revealed.Concat(s.Expected)).Distinct().ToList();

    /// <summary>Every word a template placeholder can take, by placeholder (the judge asks this for every word it reads).</summary>
    public static IReadOnlyList<string> Category(string placeholder) => placeholder switch
    {
        "X" or "Y" => Names,
        "C" => Containers,
        "P" => Places,
        "T" => Things,
        "A" => AnyExpected,
        "B" or "E" => AnyValue,
        _ => throw new ArgumentException($"unknown placeholder {{{placeholder}}}", nameof(placeholder)),
    };
}
