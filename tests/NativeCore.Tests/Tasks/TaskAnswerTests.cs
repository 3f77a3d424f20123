using NativeCore.Tasks;

namespace NativeCore.Tests.Tasks;

public class TaskAnswerTests
{
    private static readonly DataConfig Paper = new();

    /// <summary>Brute force from the spec's wording, on strings, independent of TaskAnswers.</summary>
    private static string Expected(Query q, string text)
    {
        string op = q.OperandText;
        switch (q.Task)
        {
            case TaskKind.C:
                return text[^40..].Count(ch => ch == op[0]).ToString(System.Globalization.CultureInfo.InvariantCulture);
            case TaskKind.CC:
            {
                string w = text[^40..];
                int n = 0;
                for (int at = w.IndexOf(op, StringComparison.Ordinal); at >= 0; at = w.IndexOf(op, at + 1, StringComparison.Ordinal)) n++;
                return n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            case TaskKind.I:
            case TaskKind.IC:
            {
                int found = 0, at = text.Length;
                while (found < 6)
                {
                    at = at - 1 < 0 ? -1 : text.LastIndexOf(op, at - 1, StringComparison.Ordinal);
                    if (at < 0) return "NONE";
                    found++;
                }
                return (text.Length - at).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            default:
                return text[text.Length - 40].ToString();
        }
    }

    [Theory]
    [InlineData(TaskKind.C)]
    [InlineData(TaskKind.CC)]
    [InlineData(TaskKind.I)]
    [InlineData(TaskKind.IC)]
    [InlineData(TaskKind.T)]
    public void Answers_agree_with_brute_force_on_10000_samples(TaskKind task)
    {
        var data = new PretrainingData(Paper with { Tasks = [task], Prior = "0.34,0.33,0.33" }, seed: 5);
        var seen = new HashSet<int>();
        for (int i = 0; i < 10_000; i++)
        {
            var s = data.Sample(i / 100, i % 100);
            string text = new(s.Text.Select(t => (char)('a' + t)).ToArray());
            Assert.Equal(Expected(s.Query, text), Vocabulary.Name(s.Answer));
            seen.Add(s.Answer);
        }
        Assert.True(seen.Count >= 3, $"task {task} produced only {seen.Count} distinct answers");
    }

    [Fact]
    public void Sequence_format_is_exact_and_masks_select_positions()
    {
        var config = new DataConfig { TextLength = 12, CountWindow = 5 };
        var sample = new GrammarSample(new Query(TaskKind.C, 0), [0, 1, 2, 0, 0, 1, 2, 2, 1, 0, 0, 1], Vocabulary.Number(2), false);
        Assert.Equal("SOS C a 5 SOT a b c a a b c c b a a b EOT ART 2 EOS", sample.Readable(config));
        Assert.Equal(21, config.SequenceLength);
        var inputs = new int[20];
        var targets = new int[20];
        SequenceFormat.WriteTraining(inputs, targets, sample, config, LossMask.AnswerOnly);
        Assert.Equal(Vocabulary.Art, inputs[config.ArtPosition]);
        Assert.Equal(Vocabulary.Number(2), targets[config.ArtPosition]);
        Assert.Equal(19, targets.Count(t => t == -1));
        SequenceFormat.WriteTraining(inputs, targets, sample, config, LossMask.AllButPadding);
        Assert.DoesNotContain(-1, targets);
        Assert.Equal(Vocabulary.Eos, targets[^1]);
    }

    [Fact]
    public void Vocabulary_round_trips_every_name()
    {
        Assert.Equal(281, Vocabulary.Size);
        for (int t = 0; t < Vocabulary.Size; t++) Assert.Equal(t, Vocabulary.Parse(Vocabulary.Name(t)));
    }
}
