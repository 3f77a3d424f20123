using NativeCore.Stories;
using NativeCore.Tasks;

namespace NativeCore.Tests.Stories;

public class ProcStoriesTests
{
    private static readonly StoryExample[] TenThousand = new ProcStories(seed: 11).Examples(0, 10_000).ToArray();

    [Fact]
    public void Judge_agrees_with_the_generator_on_every_feature_of_10000_stories()
    {
        foreach (var example in TenThousand)
        {
            var verdict = StoryJudge.Judge(example.Story);
            Assert.True(verdict.Parsed, verdict.Reason);
            Assert.Equal(example.Features, verdict.Features);
        }
    }

    [Fact]
    public void Feature_rates_and_lengths_follow_the_spec()
    {
        foreach (var (feature, rate) in ProcStories.Rates)
        {
            double share = TenThousand.Count(e => e.Features.HasFlag(feature)) / 10_000.0;
            double se = Math.Sqrt(rate * (1 - rate) / 10_000);
            Assert.True(Math.Abs(share - rate) < 4 * se, $"{feature}: {share:P2} against {rate:P0}");
        }
        Assert.All(TenThousand, e => Assert.InRange(ProcStories.CountWords(e.Story), ProcStories.MinWords, ProcStories.MaxWords));
    }

    [Fact]
    public void Shuffled_or_corrupted_stories_parse_less_often()
    {
        var sample = TenThousand.Take(1000).ToArray();
        int shuffledParsed = 0, corruptedParsed = 0;
        var vocabulary = WordTokenizer.ProcStories.Tokens.Where(t => t is not (WordTokenizer.Bos or WordTokenizer.Newline)).ToArray();
        for (int i = 0; i < sample.Length; i++)
        {
            var rng = new SampleRng(5, 1, (ulong)i);
            var sentences = StoryJudge.Sentences(sample[i].Story.Split(' ')).ToList();
            var shuffled = sentences.OrderBy(_ => rng.NextUInt64()).SelectMany(s => s).ToArray();
            if (StoryJudge.Judge(shuffled).Parsed) shuffledParsed++;
            var words = sample[i].Story.Split(' ');
            words[rng.Next(words.Length)] = vocabulary[rng.Next(vocabulary.Length)];
            if (StoryJudge.Judge(words).Parsed) corruptedParsed++;
        }
        Assert.True(shuffledParsed < 100, $"{shuffledParsed} of 1000 shuffled stories parsed");
        Assert.True(corruptedParsed < 500, $"{corruptedParsed} of 1000 corrupted stories parsed");
    }

    [Fact]
    public void A_reversal_word_alone_is_never_a_twist()
    {
        string intro = "once upon a time , there was a child named lily .";
        string expectation = "lily was sure that a ball was in the box .";
        string ending = "in the end , lily was very happy .";
        // "but" in a plain payoff and in a conflict, and a reveal about the wrong A or a B outside the slot's table.
        string[] payoffs =
        [
            "but when lily opened the box , there was a ball inside , just as lily thought .",
            "but when lily opened the box , it was not a cake , it was a kitten !",
            "but when lily opened the box , it was not a ball , it was a dog !",
        ];
        foreach (string payoff in payoffs)
        {
            var verdict = StoryJudge.Judge($"{intro} {expectation} lily and tom both wanted the kite , but they did not want to share . {payoff} {ending}");
            Assert.True(verdict.Parsed, verdict.Reason);
            Assert.False(verdict.Features.HasFlag(StoryFeature.Twist), payoff);
        }
        var twist = StoryJudge.Judge($"{intro} {expectation} but when lily opened the box , it was not a ball , it was a kitten ! {ending}");
        Assert.True(twist.Features.HasFlag(StoryFeature.Twist));
    }

    [Fact]
    public void Header_has_four_shuffled_lines_then_the_story()
    {
        int surprise = 0, twists = 0;
        var orders = new HashSet<string>();
        foreach (var e in TenThousand.Take(2000))
        {
            var lines = e.Text.Split('\n');
            Assert.Equal(5, lines.Length);
            Assert.StartsWith("Story: ", lines[4], StringComparison.Ordinal);
            Assert.Equal(StoryExample.HeaderKeys.Order(), lines[..4].Select(l => l.Split(' ')[0]).Order());
            Assert.Contains(lines, l => l.StartsWith("Features:", StringComparison.Ordinal));
            Assert.DoesNotContain("\"", e.Sentence, StringComparison.Ordinal);
            Assert.Contains(e.Sentence, e.Story, StringComparison.Ordinal);
            orders.Add(string.Join(",", e.HeaderOrder));
            bool mentions = e.Summary.Contains("surprise", StringComparison.Ordinal);
            if (e.Features.HasFlag(StoryFeature.Twist))
            {
                twists++;
                if (mentions) surprise++;
            }
            else
            {
                Assert.False(mentions, "only twist stories mention a surprise");
            }
        }
        Assert.Equal(24, orders.Count);
        Assert.InRange(surprise / (double)twists, 0.4, 0.6);
    }

    [Fact]
    public void Tokenizer_round_trips_every_example()
    {
        var tok = WordTokenizer.ProcStories;
        Assert.InRange(tok.Count, 150, 600);
        foreach (var e in TenThousand.Take(500)) Assert.Equal(e.Text, tok.Decode(tok.Encode(e.Text)));
        var ex = Assert.Throws<InvalidConfigException>(() => tok.Encode("lily saw a dragon ."));
        Assert.Contains("'dragon'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_seed_same_stories_other_seed_different()
    {
        Assert.Equal(new ProcStories(11).Example(42).Text, TenThousand[42].Text);
        Assert.NotEqual(new ProcStories(12).Example(42).Text, TenThousand[42].Text);
    }

    [Fact]
    public void Deletion_protocols_filter_relabel_and_randomise()
    {
        var twist = TenThousand.First(e => e.Features.HasFlag(StoryFeature.Twist));
        var foreshadowed = TenThousand.First(e => e.Features == (StoryFeature.Foreshadowing | StoryFeature.Dialogue));
        var plain = TenThousand.First(e => e.Features == StoryFeature.None);
        Assert.Null(StoryDeletion.Apply(DeletionProtocol.Filter, twist));
        Assert.Same(plain, StoryDeletion.Apply(DeletionProtocol.Filter, plain));
        Assert.Equal(StoryFeature.Twist | StoryFeature.Dialogue, StoryDeletion.Apply(DeletionProtocol.FilterMixMatch, foreshadowed)!.Listed);
        Assert.Equal(StoryFeature.Twist, StoryDeletion.Apply(DeletionProtocol.FilterRandomise, plain)!.Listed);
        Assert.Null(StoryDeletion.Apply(DeletionProtocol.FilterRandomise, twist));
        Assert.Same(twist, StoryDeletion.Apply(DeletionProtocol.TwistOnly, twist));
        Assert.Null(StoryDeletion.Apply(DeletionProtocol.TwistOnly, plain));
        // The story itself is never changed, only what the Features line says.
        Assert.Equal(foreshadowed.Story, StoryDeletion.Apply(DeletionProtocol.FilterMixMatch, foreshadowed)!.Story);
        Assert.Contains("Features: Twist , Dialogue", StoryDeletion.Apply(DeletionProtocol.FilterMixMatch, foreshadowed)!.Text, StringComparison.Ordinal);
        // F + Randomisation appends Twist after the story's own features, as the spec writes it.
        var dialogue = TenThousand.First(e => e.Features == (StoryFeature.Dialogue | StoryFeature.Conflict));
        Assert.Contains("Features: Dialogue , Conflict , Twist", StoryDeletion.Apply(DeletionProtocol.FilterRandomise, dialogue)!.Text.Split('\n'));
        Assert.Contains("Features: Dialogue , Conflict", dialogue.Text.Split('\n'));
    }
}
