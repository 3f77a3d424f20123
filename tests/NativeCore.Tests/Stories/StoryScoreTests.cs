using NativeCore.Stories;

namespace NativeCore.Tests.Stories;

public sealed class StoryScoreTests
{
    private static StoryScore Score(int stories, int parsed, int twists) =>
        new(stories, parsed, StoryFeatures.All.ToDictionary(f => f, f => f == StoryFeature.Twist ? twists : 0));

    [Fact]
    public void The_twist_share_of_all_stories_counts_unparsed_ones_as_without_a_twist()
    {
        var before = Score(48, 40, 20);
        Assert.Equal(0.5, before.TwistShare, 12);
        Assert.Equal(20 / 48.0, before.TwistShareOfAll, 12);
        // A model that parses half as often, with the same share of twists among what parses: the parsed-only share
        // does not move, the share of all stories halves. Only the second can tell deletion from a broken format.
        var after = Score(48, 20, 10);
        Assert.Equal(before.TwistShare, after.TwistShare, 12);
        Assert.Equal(before.TwistShareOfAll / 2, after.TwistShareOfAll, 12);
        Assert.Equal(0, Score(0, 0, 0).TwistShareOfAll);
    }
}
