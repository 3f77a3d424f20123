using NativeCore.Stories;

namespace NativeCore.Tests.Stories;

public sealed class TinyStoriesInstructTests : TempDirectoryTest
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Stories", "Fixtures", "tinystories-instruct-fixture.json");

    [Fact]
    public void Fixture_loads_with_its_features()
    {
        var records = TinyStoriesInstruct.Load(Fixture);
        Assert.Equal(4, records.Count);
        Assert.Equal(StoryFeature.Dialogue | StoryFeature.Twist, records[0].Features);
        Assert.Equal(StoryFeature.Foreshadowing | StoryFeature.BadEnding | StoryFeature.MoralValue, records[1].Features);
        Assert.Equal(StoryFeature.None, records[3].Features);
        Assert.Equal(["find", "box", "big"], records[0].Words);
    }

    [Fact]
    public void Examples_follow_the_authors_format_line_by_line()
    {
        var records = TinyStoriesInstruct.Load(Fixture);
        var orders = new HashSet<string>();
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            for (ulong seed = 0; seed < 8; seed++)
            {
                var example = TinyStoriesInstruct.ToExample(r, seed, i);
                var lines = example.Text.Split('\n');
                // The story keeps its own text; it is the last line and the only one that may span lines.
                Assert.Equal($"Story: {r.Story.Trim()}", string.Join("\n", lines[4..]));
                var expected = new Dictionary<string, string>
                {
                    ["Words:"] = "Words: " + string.Join(", ", r.Words),
                    ["Features:"] = ("Features: " + string.Join(", ", new[] { "Twist", "Foreshadowing", "Dialogue", "Conflict", "BadEnding", "MoralValue" }.Where(f => r.Features.HasFlag(Enum.Parse<StoryFeature>(f))))).TrimEnd(),
                    ["Summary:"] = "Summary: " + r.Summary.Replace("\n", " ", StringComparison.Ordinal),
                };
                foreach (string line in lines[..4])
                {
                    string key = line.Split(' ')[0];
                    if (key == "Sentence:")
                    {
                        string sentence = line == "Sentence:" ? "" : line["Sentence: ".Length..];
                        Assert.DoesNotContain("\"", sentence, StringComparison.Ordinal);
                        Assert.Contains(sentence, r.Story, StringComparison.Ordinal);
                    }
                    else
                    {
                        Assert.Equal(expected[key], line);
                    }
                }
                orders.Add(string.Join(",", example.HeaderOrder));
                Assert.Equal(example.Text, TinyStoriesInstruct.ToExample(r, seed, i).Text);
            }
        }
        Assert.True(orders.Count > 8, "the header order is shuffled per example");
        // Every sentence of the third story has a quote: its Sentence line is empty.
        Assert.Contains("Sentence:", TinyStoriesInstruct.ToExample(records[2], 0, 2).Text.Split('\n'));
    }

    [Fact]
    public void Tokenisation_is_bos_then_gpt2_bpe_and_decodes_back()
    {
        Assert.Equal([15496, 995], TinyStoriesInstruct.Tokenizer.Encode("Hello world"));
        var example = TinyStoriesInstruct.ToExample(TinyStoriesInstruct.Load(Fixture)[0], 3, 0);
        int[] ids = TinyStoriesInstruct.Encode(example);
        Assert.Equal(50256, ids[0]);
        Assert.DoesNotContain(50256, ids[1..]);
        Assert.Equal(example.Text, TinyStoriesInstruct.Tokenizer.Decode(ids[1..]));
        Assert.All(ids, id => Assert.InRange(id, 0, TinyStoriesInstruct.VocabularySize - 1));
    }

    [Fact]
    public void Deletion_protocols_apply_to_the_real_format()
    {
        var examples = TinyStoriesInstruct.Load(Fixture).Select((r, i) => TinyStoriesInstruct.ToExample(r, 1, i)).ToList();
        Assert.Equal(3, examples.Count(e => StoryDeletion.Apply(DeletionProtocol.Filter, e) is not null));
        var mixed = StoryDeletion.Apply(DeletionProtocol.FilterMixMatch, examples[1])!;
        Assert.Contains("Features: Twist, BadEnding, MoralValue", mixed.Text.Split('\n'));
        var randomised = StoryDeletion.Apply(DeletionProtocol.FilterRandomise, examples[3])!;
        Assert.Contains("Features: Twist", randomised.Text.Split('\n'));
        Assert.Single(examples, e => StoryDeletion.Apply(DeletionProtocol.TwistOnly, e) is not null);
    }

    [Fact]
    public void Bad_records_name_the_file_record_and_field()
    {
        string path = Dir("bad.json");
        File.WriteAllText(path, """[{"story": "x", "summary": "y", "instruction": {"words": ["a","b","c"], "features": ["Twist"]}}, {"story": "x", "instruction": {"words": [], "features": []}}]""");
        var ex = Assert.Throws<InvalidConfigException>(() => TinyStoriesInstruct.Load(path));
        Assert.Contains("record 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'summary'", ex.Message, StringComparison.Ordinal);
        File.WriteAllText(path, """[{"story": "x", "summary": "y", "instruction": {"words": ["a","b","c"], "features": ["Plot"]}}]""");
        ex = Assert.Throws<InvalidConfigException>(() => TinyStoriesInstruct.Load(path));
        Assert.Contains("'Plot'", ex.Message, StringComparison.Ordinal);
        File.WriteAllText(path, "{ not json");
        ex = Assert.Throws<InvalidConfigException>(() => TinyStoriesInstruct.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1]", "record 0", "number 1")]
    [InlineData("""["story"]""", "record 0", "string \"story\"")]
    [InlineData("""[{"story": "x", "summary": "y", "instruction": {"words": ["a","b","c"], "features": []}}, null]""", "record 1", "null")]
    [InlineData("""[[{"story": "x"}]]""", "record 0", "array")]
    public void A_record_that_is_not_an_object_is_refused_naming_the_file_and_record(string shard, string record, string got)
    {
        string path = Dir("notobject.json");
        File.WriteAllText(path, shard);
        var ex = Assert.Throws<InvalidConfigException>(() => TinyStoriesInstruct.Load(path));
        Assert.StartsWith($"{path}: {record}: a record must be an object, got ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(got, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shard_that_is_not_an_array_is_refused_naming_the_file()
    {
        string path = Dir("object.json");
        File.WriteAllText(path, """{"story": "x"}""");
        var ex = Assert.Throws<InvalidConfigException>(() => TinyStoriesInstruct.Load(path));
        Assert.Equal($"{path}: a shard must be a JSON array of records", ex.Message);
    }

    // Found by fuzzing: "\ud800" is valid JSON but no text, and reading it threw InvalidOperationException.
    [Theory]
    [InlineData("""[{"story": "\ud800", "summary": "y", "instruction": {"words": ["a","b","c"], "features": []}}]""", "story")]
    [InlineData("""[{"story": "x", "summary": "y", "instruction": {"words": ["a","\udc00b","c"], "features": []}}]""", "instruction.words")]
    [InlineData("""[{"story": "x", "summary": "y", "instruction": {"words": ["a","b","c"], "features": []}, "source": "\ud800"}]""", "source")]
    public void A_string_escaping_a_lone_surrogate_is_refused_naming_the_file_record_and_field(string shard, string field)
    {
        string path = Dir("surrogate.json");
        File.WriteAllText(path, shard);
        var ex = Assert.Throws<InvalidConfigException>(() => TinyStoriesInstruct.Load(path));
        Assert.StartsWith($"{path}: record 0: field '{field}' is not valid text", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_generated_real_story_is_cut_where_the_next_instruction_line_begins()
    {
        // The GPT-2 BPE spells a key in several tokens, so no single stop token ends a real-shard story: the text is cut.
        var corpus = StoryCorpus.Real(Fixture, 1);
        string generated = "Tom found a red ball. He was happy.\nSummary: Tom finds a ball.\nWords: ball, red, happy";
        Assert.Equal("Tom found a red ball. He was happy.", corpus.Story(corpus.EncodeText(generated)));
        Assert.Equal("No key here at all.", corpus.Story(corpus.EncodeText("No key here at all.")));
        Assert.Equal("Then", corpus.Story(corpus.EncodeText("Then\nStory: again")));
    }
}
