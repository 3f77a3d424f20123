namespace NativeCore.Stories;

/// <summary>How the data of a deletion fine-tune is made from the corpus (spec tinystories.md §2).</summary>
internal enum DeletionProtocol
{
    /// <summary>The corpus as it is (pre-training).</summary>
    None,
    /// <summary>F: drop every story whose features contain Twist.</summary>
    Filter,
    /// <summary>F + Mix &amp; Match: after filtering, list Foreshadowing as Twist.</summary>
    FilterMixMatch,
    /// <summary>F + Randomisation: after filtering, append Twist to every story's features (listed last).</summary>
    FilterRandomise,
    /// <summary>The reFT data: Twist stories only.</summary>
    TwistOnly,
}

/// <summary>Applies a <see cref="DeletionProtocol"/> to one example: the example to train on, or null when it is dropped.</summary>
internal static class StoryDeletion
{
    /// <summary>The example under <paramref name="protocol"/>, in the order filter, then mix-and-match, then randomisation.</summary>
    public static StoryExample? Apply(DeletionProtocol protocol, StoryExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        bool twist = example.Listed.HasFlag(StoryFeature.Twist);
        return protocol switch
        {
            DeletionProtocol.None => example,
            DeletionProtocol.TwistOnly => twist ? example : null,
            _ when twist => null,
            DeletionProtocol.Filter => example,
            DeletionProtocol.FilterMixMatch => example.Listed.HasFlag(StoryFeature.Foreshadowing)
                ? example with { Listed = (example.Listed & ~StoryFeature.Foreshadowing) | StoryFeature.Twist }
                : example,
            DeletionProtocol.FilterRandomise => example with { Listed = example.Listed | StoryFeature.Twist, TwistAppended = true },
            _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
        };
    }

    /// <summary>The protocol called <paramref name="name"/> (none, f, f+mm, f+rr, twist); throws naming it when unknown.</summary>
    public static DeletionProtocol Parse(string name) => name switch
    {
        "none" => DeletionProtocol.None,
        "f" => DeletionProtocol.Filter,
        "f+mm" => DeletionProtocol.FilterMixMatch,
        "f+rr" => DeletionProtocol.FilterRandomise,
        "twist" => DeletionProtocol.TwistOnly,
        _ => throw new InvalidConfigException($"--protocol '{name}' must be none, f, f+mm, f+rr or twist"),
    };
}
