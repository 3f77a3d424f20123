using NativeCore.Tasks;

namespace NativeCore.Stories;

/// <summary>
/// ProcStories-Instruct (spec tinystories.md §4): stories built from slots and paraphrase templates with independent
/// feature rates, generated on the fly. Example i of a seed is a pure function of (seed, i), so nothing is stored.
/// </summary>
internal sealed class ProcStories(ulong seed)
{
    /// <summary>Feature rates: Twist 0.2, Foreshadowing 0.2, Dialogue 0.5, Conflict 0.3, BadEnding 0.15, MoralValue 0.2.</summary>
    public static IReadOnlyDictionary<StoryFeature, double> Rates { get; } = new Dictionary<StoryFeature, double>
    {
        [StoryFeature.Twist] = 0.2, [StoryFeature.Foreshadowing] = 0.2, [StoryFeature.Dialogue] = 0.5,
        [StoryFeature.Conflict] = 0.3, [StoryFeature.BadEnding] = 0.15, [StoryFeature.MoralValue] = 0.2,
    };

    /// <summary>Shortest and longest story, in words (punctuation not counted).</summary>
    public const int MinWords = 60, MaxWords = 150;

    /// <summary>The seed.</summary>
    public ulong Seed { get; } = seed;

    /// <summary>Example <paramref name="index"/>.</summary>
    public StoryExample Example(long index)
    {
        var rng = new SampleRng(Seed, 0x570C, (ulong)index);
        var features = StoryFeature.None;
        foreach (var f in StoryFeatures.All)
            if (rng.NextDouble() < Rates[f]) features |= f;
        return Build(ref rng, features);
    }

    /// <summary>Examples firstIndex … firstIndex + count − 1.</summary>
    public IEnumerable<StoryExample> Examples(long firstIndex, int count)
    {
        for (long i = firstIndex; i < firstIndex + count; i++) yield return Example(i);
    }

    private static StoryExample Build(ref SampleRng rng, StoryFeature features)
    {
        var slot = StoryLexicon.Slots[rng.Next(StoryLexicon.Slots.Count)];
        string x = Pick(ref rng, StoryLexicon.Names), y;
        do y = Pick(ref rng, StoryLexicon.Names); while (y == x);
        var values = new Dictionary<string, string>
        {
            ["X"] = x, ["Y"] = y,
            ["C"] = Pick(ref rng, StoryLexicon.Containers),
            ["P"] = Pick(ref rng, StoryLexicon.Places),
            ["T"] = Pick(ref rng, StoryLexicon.Things),
            ["A"] = Pick(ref rng, slot.Expected),
            ["B"] = Pick(ref rng, slot.Revealed),
        };
        bool twist = features.HasFlag(StoryFeature.Twist);
        values["E"] = twist ? values["B"] : values["A"];

        string Fill(ref SampleRng r, SentenceKind kind, string slotName = "")
        {
            var options = StoryTemplates.Of(kind, slotName);
            var template = options[r.Next(options.Count)];
            return string.Join(' ', template.Tokens.Select(tok => tok.Length > 2 && tok[0] == '{' ? values[tok[1..^1]] : tok));
        }

        var before = new List<string> { Fill(ref rng, SentenceKind.Intro) };
        var middle = new List<string> { Fill(ref rng, SentenceKind.Expectation, slot.Name) };
        if (features.HasFlag(StoryFeature.Foreshadowing)) middle.Add(Fill(ref rng, SentenceKind.Foreshadow));
        if (features.HasFlag(StoryFeature.Dialogue)) middle.Add(Fill(ref rng, SentenceKind.Dialogue));
        if (features.HasFlag(StoryFeature.Conflict)) middle.Add(Fill(ref rng, SentenceKind.Conflict));
        var after = new List<string>
        {
            Fill(ref rng, twist ? SentenceKind.Reveal : SentenceKind.Plain, slot.Name),
            Fill(ref rng, features.HasFlag(StoryFeature.BadEnding) ? SentenceKind.BadEnding : SentenceKind.HappyEnding),
        };
        if (features.HasFlag(StoryFeature.MoralValue)) after.Add(Fill(ref rng, SentenceKind.Moral));

        // Scenery before the expectation and before the payoff pads the story to a length drawn from [60, 150] words.
        int target = MinWords + rng.Next(MaxWords - MinWords + 1);
        var fillersEarly = new List<string>();
        var fillersLate = new List<string>();
        int WordCount() => new[] { before, fillersEarly, middle, fillersLate, after }.SelectMany(s => s).Sum(CountWords);
        while (WordCount() < target)
        {
            string filler = Fill(ref rng, SentenceKind.Filler);
            if (WordCount() + CountWords(filler) > MaxWords) break;
            (rng.NextBool() ? fillersEarly : fillersLate).Add(filler);
        }
        var sentences = before.Concat(fillersEarly).Concat(middle).Concat(fillersLate).Concat(after).ToList();

        List<string> words = [values["C"], values["P"], values["T"], values["A"]];
        rng.Shuffle(words);
        words.RemoveAt(3);
        string summary = slot.Name switch
        {
            "box" => $"{x} finds out what is in the {values["C"]}",
            "door" => $"{x} finds out who is at the door",
            _ => $"{x} finds out what made the noise",
        };
        // Only half of the twist stories say so in the summary, so the label cannot be copied from it.
        summary += twist && rng.NextBool() ? " and gets a big surprise ." : " .";
        var quoteless = sentences.Where(s => !s.Contains('"', StringComparison.Ordinal)).ToList();
        List<string> order = [.. StoryExample.HeaderKeys];
        rng.Shuffle(order);
        return new StoryExample
        {
            Features = features, Listed = features, Words = words, Summary = summary,
            Sentence = quoteless[rng.Next(quoteless.Count)], Story = string.Join(' ', sentences), HeaderOrder = order,
        };
    }

    /// <summary>Words of a sentence, punctuation not counted.</summary>
    public static int CountWords(string sentence) => sentence.Split(' ').Count(w => w is not ("," or "." or "!" or "\""));

    private static string Pick(ref SampleRng rng, IReadOnlyList<string> list) => list[rng.Next(list.Count)];
}
