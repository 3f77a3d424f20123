namespace NativeCore.Stories;

/// <summary>
/// One TinyStories-Instruct example: four instruction lines in a shuffled order, then the story. Words are separated by
/// spaces and lines by newlines; the text starts at BOS and has no end token.
/// </summary>
internal sealed record StoryExample
{
    /// <summary>The instruction keys, in the dataset's spelling.</summary>
    public static IReadOnlyList<string> HeaderKeys { get; } = ["Words:", "Features:", "Summary:", "Sentence:"];

    /// <summary>The key of the story line, always last.</summary>
    public const string StoryKey = "Story:";

    /// <summary>What the story really has (the generator's labels; the real data's features).</summary>
    public required StoryFeature Features { get; init; }

    /// <summary>What the Features line says; deletion procedures change this and leave <see cref="Features"/> alone.</summary>
    public required StoryFeature Listed { get; init; }

    /// <summary>The three words of the Words line.</summary>
    public required IReadOnlyList<string> Words { get; init; }

    /// <summary>The summary, one line.</summary>
    public required string Summary { get; init; }

    /// <summary>One sentence of the story that has no quote.</summary>
    public required string Sentence { get; init; }

    /// <summary>The story.</summary>
    public required string Story { get; init; }

    /// <summary>The order of the four header lines (a permutation of <see cref="HeaderKeys"/>).</summary>
    public required IReadOnlyList<string> HeaderOrder { get; init; }

    /// <summary>
    /// Twist was appended to the Features line (F + Randomisation): it is listed last, after the story's own features,
    /// as the spec's protocol writes it, not in the canonical order that puts it first.
    /// </summary>
    public bool TwistAppended { get; init; }

    /// <summary>How the Words and Features lists are joined: " , " between word tokens (ProcStories), ", " in real text.</summary>
    public string ListSeparator { get; init; } = " , ";

    /// <summary>The value of one header line.</summary>
    public string HeaderValue(string key) => key switch
    {
        "Words:" => string.Join(ListSeparator, Words),
        "Features:" => string.Join(ListSeparator, TwistAppended && Listed.HasFlag(StoryFeature.Twist)
            ? StoryFeatures.Members(Listed & ~StoryFeature.Twist).Append(StoryFeature.Twist)
            : StoryFeatures.Members(Listed)),
        "Summary:" => Summary,
        "Sentence:" => Sentence,
        _ => throw new ArgumentException($"unknown header key '{key}'", nameof(key)),
    };

    /// <summary>The header lines in order, then the story line: the example's text without BOS.</summary>
    public string Text => string.Join("\n", HeaderOrder.Select(Line).Append(Line(StoryKey)));

    /// <summary>The header in order with <paramref name="features"/> listed, ending at <c>Story:</c>: a generation prompt.</summary>
    public string Prompt(StoryFeature features)
    {
        var listed = this with { Listed = features };
        return string.Join("\n", HeaderOrder.Select(listed.Line)) + "\n" + StoryKey;
    }

    private string Line(string key) => key == StoryKey ? $"{StoryKey} {Story}" : $"{key} {HeaderValue(key)}".TrimEnd();
}
