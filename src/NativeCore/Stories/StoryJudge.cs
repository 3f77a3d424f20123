namespace NativeCore.Stories;

/// <summary>One parsed sentence: its template's kind and slot, and what its placeholders bound.</summary>
/// <param name="Kind">What the sentence does.</param>
/// <param name="Slot">The slot of an expectation or payoff; empty otherwise.</param>
/// <param name="Bound">Placeholder → word.</param>
internal sealed record ParsedSentence(SentenceKind Kind, string Slot, IReadOnlyDictionary<string, string> Bound);

/// <summary>The judge's verdict on one story.</summary>
/// <param name="Parsed">Whether every sentence matched a template and the sentences follow the skeleton's order.</param>
/// <param name="Features">The features decided by rule (None when the story does not parse).</param>
/// <param name="Reason">Why the story does not parse; null when it does.</param>
internal sealed record Judgement(bool Parsed, StoryFeature Features, string? Reason);

/// <summary>
/// Decides a story's features by rule (spec tinystories.md §4). The story must parse: each sentence matches one of the
/// templates, in the skeleton's order (intro, scenery, expectation, optional cue, dialogue and conflict, scenery,
/// payoff, ending, optional moral). Twist holds iff an expectation sets slot s to A and the payoff is a reveal that
/// denies that A and asserts a B with (A, B) in the slot's table: a reversal word alone ("but", "suddenly") is not enough.
/// </summary>
internal static class StoryJudge
{
    private static readonly IReadOnlyList<(SentenceKind Kind, bool Optional, bool Repeats)> Skeleton =
    [
        (SentenceKind.Intro, false, false),
        (SentenceKind.Filler, true, true),
        (SentenceKind.Expectation, false, false),
        (SentenceKind.Foreshadow, true, false),
        (SentenceKind.Dialogue, true, false),
        (SentenceKind.Conflict, true, false),
        (SentenceKind.Filler, true, true),
        (SentenceKind.Payoff, false, false),
        (SentenceKind.Ending, false, false),
        (SentenceKind.Moral, true, false),
    ];

    /// <summary>Judges a story given as space-separated words.</summary>
    public static Judgement Judge(string story) => Judge((story ?? throw new ArgumentNullException(nameof(story))).Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Judges a story given as words.</summary>
    public static Judgement Judge(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var parsed = new List<ParsedSentence>();
        foreach (var sentence in Sentences(words))
        {
            var match = Match(sentence);
            if (match is null) return new Judgement(false, StoryFeature.None, $"no template matches \"{string.Join(' ', sentence)}\"");
            parsed.Add(match);
        }
        if (!FollowsSkeleton(parsed, out string? why)) return new Judgement(false, StoryFeature.None, why);

        var features = StoryFeature.None;
        var expectation = parsed.First(p => p.Kind == SentenceKind.Expectation);
        var payoff = parsed.First(p => p.Kind is SentenceKind.Reveal or SentenceKind.Plain);
        if (payoff.Kind == SentenceKind.Reveal && payoff.Slot == expectation.Slot && payoff.Bound["A"] == expectation.Bound["A"]
            && StoryLexicon.Slot(payoff.Slot).Allows(expectation.Bound["A"], payoff.Bound["B"]))
            features |= StoryFeature.Twist;
        string revealed = payoff.Kind == SentenceKind.Reveal ? payoff.Bound["B"] : payoff.Bound["A"];
        if (parsed.Any(p => p.Kind == SentenceKind.Foreshadow && p.Bound["E"] == revealed)) features |= StoryFeature.Foreshadowing;
        if (parsed.Any(p => p.Kind == SentenceKind.Dialogue)) features |= StoryFeature.Dialogue;
        if (parsed.Any(p => p.Kind == SentenceKind.Conflict)) features |= StoryFeature.Conflict;
        if (parsed.Any(p => p.Kind == SentenceKind.BadEnding)) features |= StoryFeature.BadEnding;
        if (parsed.Any(p => p.Kind == SentenceKind.Moral)) features |= StoryFeature.MoralValue;
        return new Judgement(true, features, null);
    }

    /// <summary>Splits at "." and "!" outside quotes; a trailing fragment without an end mark is its own sentence.</summary>
    public static IEnumerable<string[]> Sentences(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var current = new List<string>();
        bool quoted = false;
        foreach (string w in words)
        {
            current.Add(w);
            if (w == "\"") quoted = !quoted;
            else if (!quoted && w is "." or "!")
            {
                yield return current.ToArray();
                current.Clear();
            }
        }
        if (current.Count > 0) yield return current.ToArray();
    }

    /// <summary>The first template the sentence matches, with its bindings; null when none does.</summary>
    public static ParsedSentence? Match(IReadOnlyList<string> sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        foreach (var template in StoryTemplates.All)
        {
            if (template.Tokens.Length != sentence.Count) continue;
            var bound = new Dictionary<string, string>();
            bool ok = true;
            for (int i = 0; i < sentence.Count && ok; i++)
            {
                string t = template.Tokens[i];
                if (t.Length > 2 && t[0] == '{')
                {
                    string name = t[1..^1];
                    ok = StoryLexicon.Category(name).Contains(sentence[i]) && (!bound.TryGetValue(name, out var prior) || prior == sentence[i]);
                    bound[name] = sentence[i];
                }
                else
                {
                    ok = t == sentence[i];
                }
            }
            if (ok) return new ParsedSentence(template.Kind, template.Slot, bound);
        }
        return null;
    }

    private static bool FollowsSkeleton(IReadOnlyList<ParsedSentence> parsed, out string? why)
    {
        int i = 0;
        foreach (var (kind, optional, repeats) in Skeleton)
        {
            int seen = 0;
            while (i < parsed.Count && Fits(parsed[i].Kind, kind) && (repeats || seen == 0))
            {
                i++;
                seen++;
            }
            if (seen == 0 && !optional)
            {
                why = i < parsed.Count ? $"sentence {i + 1} is a {parsed[i].Kind} where the story needs a {kind}" : $"the story ends before its {kind}";
                return false;
            }
        }
        why = i < parsed.Count ? $"sentence {i + 1} ({parsed[i].Kind}) comes after the story's end" : null;
        return i == parsed.Count;
    }

    /// <summary>Skeleton positions that accept more than one kind: the payoff (reveal or plain) and the ending (happy or bad).</summary>
    private static bool Fits(SentenceKind actual, SentenceKind position) => position switch
    {
        SentenceKind.Payoff => actual is SentenceKind.Reveal or SentenceKind.Plain,
        SentenceKind.Ending => actual is SentenceKind.HappyEnding or SentenceKind.BadEnding,
        _ => actual == position,
    };
}
