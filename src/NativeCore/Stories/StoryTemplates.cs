namespace NativeCore.Stories;

/// <summary>What a story sentence does in the skeleton.</summary>
internal enum SentenceKind
{
    /// <summary>The opening.</summary>
    Intro,
    /// <summary>Scenery that pads the story to length.</summary>
    Filler,
    /// <summary>A belief that the slot holds A.</summary>
    Expectation,
    /// <summary>A cue naming an entity.</summary>
    Foreshadow,
    /// <summary>A quoted line.</summary>
    Dialogue,
    /// <summary>A quarrel (it may contain "but": a reversal word that is no twist).</summary>
    Conflict,
    /// <summary>A reversal marker, a denial of A and an assertion of B.</summary>
    Reveal,
    /// <summary>A payoff that confirms A (one paraphrase opens with "but", too).</summary>
    Plain,
    /// <summary>Either payoff (reveal or plain): a skeleton position, never a template's kind.</summary>
    Payoff,
    /// <summary>Either ending: a skeleton position, never a template's kind.</summary>
    Ending,
    /// <summary>A happy ending.</summary>
    HappyEnding,
    /// <summary>A sad ending.</summary>
    BadEnding,
    /// <summary>A lesson.</summary>
    Moral,
}

/// <summary>One paraphrase: its kind, the slot it is about (expectations and payoffs), and its words with {placeholders}.</summary>
/// <param name="Kind">What the sentence does.</param>
/// <param name="Slot">box, door or noise for expectations and payoffs; empty otherwise.</param>
/// <param name="Words">Space-separated tokens; {X} {Y} names, {C} container, {P} place, {T} thing, {A} expected, {B} revealed, {E} foreshadowed entity.</param>
internal sealed record SentenceTemplate(SentenceKind Kind, string Slot, string Words)
{
    /// <summary>The tokens, placeholders included.</summary>
    public string[] Tokens { get; } = Words.Split(' ');
}

/// <summary>Every paraphrase the generator writes and the judge reads.</summary>
internal static class StoryTemplates
{
    /// <summary>All templates.</summary>
    public static IReadOnlyList<SentenceTemplate> All { get; } =
    [
        new(SentenceKind.Intro, "", "once upon a time , there was a child named {X} ."),
        new(SentenceKind.Intro, "", "{X} was a happy child who lived near the {P} ."),
        new(SentenceKind.Intro, "", "one day , {X} went to the {P} with {Y} ."),

        new(SentenceKind.Filler, "", "the sun was warm and the sky was blue ."),
        new(SentenceKind.Filler, "", "{X} liked to run and play in the {P} ."),
        new(SentenceKind.Filler, "", "the {P} was quiet and pretty ."),
        new(SentenceKind.Filler, "", "{X} and {Y} walked for a long time ."),
        new(SentenceKind.Filler, "", "birds sang in the tall trees ."),
        new(SentenceKind.Filler, "", "{X} smiled at {Y} and held the {T} ."),
        new(SentenceKind.Filler, "", "they sat down to rest for a little while ."),

        new(SentenceKind.Expectation, "box", "{X} was sure that a {A} was in the {C} ."),
        new(SentenceKind.Expectation, "box", "{X} found a {C} and thought there was a {A} inside ."),
        new(SentenceKind.Expectation, "door", "there was a knock at the door , and {X} thought it was {A} ."),
        new(SentenceKind.Expectation, "door", "{X} heard a knock and was sure that {A} was at the door ."),
        new(SentenceKind.Expectation, "noise", "{X} heard a noise and thought it was the {A} ."),
        new(SentenceKind.Expectation, "noise", "{X} was sure that the noise was the {A} ."),

        new(SentenceKind.Foreshadow, "", "earlier that day , {X} saw a little {E} near the {P} ."),
        new(SentenceKind.Foreshadow, "", "{X} remembered a funny story about a {E} ."),

        new(SentenceKind.Dialogue, "", "{X} said , \" let us find out \" ."),
        new(SentenceKind.Dialogue, "", "{Y} said , \" i want to see too \" ."),

        new(SentenceKind.Conflict, "", "{X} and {Y} both wanted the {T} , but they did not want to share ."),
        new(SentenceKind.Conflict, "", "{Y} took the {T} and {X} got very angry ."),

        new(SentenceKind.Reveal, "box", "but when {X} opened the {C} , it was not a {A} , it was a {B} !"),
        new(SentenceKind.Reveal, "box", "to the surprise of {X} , there was no {A} in the {C} , there was a {B} !"),
        new(SentenceKind.Reveal, "door", "but when {X} opened the door , it was not {A} , it was a {B} !"),
        new(SentenceKind.Reveal, "door", "suddenly {X} saw that it was not {A} at the door , it was a {B} !"),
        new(SentenceKind.Reveal, "noise", "but the noise was not the {A} , it was a {B} !"),
        new(SentenceKind.Reveal, "noise", "suddenly {X} saw that the noise was not the {A} , it was a {B} !"),

        new(SentenceKind.Plain, "box", "{X} opened the {C} and there was a {A} inside ."),
        new(SentenceKind.Plain, "box", "but when {X} opened the {C} , there was a {A} inside , just as {X} thought ."),
        new(SentenceKind.Plain, "door", "{X} opened the door and it was {A} ."),
        new(SentenceKind.Plain, "door", "but when {X} opened the door , it was {A} , just as {X} thought ."),
        new(SentenceKind.Plain, "noise", "{X} looked and saw that the noise was the {A} ."),
        new(SentenceKind.Plain, "noise", "but the noise was the {A} , just as {X} thought ."),

        new(SentenceKind.HappyEnding, "", "in the end , {X} was very happy ."),
        new(SentenceKind.HappyEnding, "", "{X} and {Y} laughed and played all day ."),
        new(SentenceKind.BadEnding, "", "in the end , {X} was sad and cried ."),
        new(SentenceKind.BadEnding, "", "{X} lost the {T} and never found it again ."),

        new(SentenceKind.Moral, "", "{X} learned that it is good to share ."),
        new(SentenceKind.Moral, "", "{X} learned to be kind to others ."),
    ];

    /// <summary>The templates of one kind (and slot, for expectations and payoffs).</summary>
    public static IReadOnlyList<SentenceTemplate> Of(SentenceKind kind, string slot = "") =>
        All.Where(t => t.Kind == kind && (slot.Length == 0 || t.Slot == slot)).ToList();

    /// <summary>The words the Summary line uses beyond the templates' words.</summary>
    public static IReadOnlyList<string> SummaryWords { get; } = ["finds", "out", "what", "is", "who", "made", "and", "gets", "big", "surprise", "at"];
}
