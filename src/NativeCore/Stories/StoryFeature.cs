namespace NativeCore.Stories;

/// <summary>The six TinyStories-Instruct features, in the order a Features line lists them.</summary>
[Flags]
internal enum StoryFeature
{
    /// <summary>No feature.</summary>
    None = 0,
    /// <summary>An expectation that a reveal overturns.</summary>
    Twist = 1,
    /// <summary>A cue that names what the payoff reveals.</summary>
    Foreshadowing = 2,
    /// <summary>A quoted line.</summary>
    Dialogue = 4,
    /// <summary>A quarrel.</summary>
    Conflict = 8,
    /// <summary>A sad ending.</summary>
    BadEnding = 16,
    /// <summary>A lesson learned.</summary>
    MoralValue = 32,
}

/// <summary>Feature names and order.</summary>
internal static class StoryFeatures
{
    /// <summary>Every feature, in Features-line order.</summary>
    public static IReadOnlyList<StoryFeature> All { get; } =
        [StoryFeature.Twist, StoryFeature.Foreshadowing, StoryFeature.Dialogue, StoryFeature.Conflict, StoryFeature.BadEnding, StoryFeature.MoralValue];

    /// <summary>The features set in <paramref name="set"/>, in order.</summary>
    public static IEnumerable<StoryFeature> Members(StoryFeature set) => All.Where(f => set.HasFlag(f));

    /// <summary>The feature called <paramref name="name"/>; throws naming it when unknown.</summary>
    public static StoryFeature Parse(string name) =>
        All.FirstOrDefault(f => f.ToString() == name) is var f && f != StoryFeature.None
            ? f
            : throw new InvalidConfigException($"'{name}' is not a story feature ({string.Join(", ", All)})");
}
