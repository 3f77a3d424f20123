using System.Text.Json;
using System.Text.RegularExpressions;
using NativeCore.Tasks;

namespace NativeCore.Stories;

/// <summary>
/// The real TinyStories-Instruct data (spec tinystories.md §1): JSON shards of records with story, instruction
/// (prompt, words, features), summary and source, turned into the authors' example text and tokenised with the GPT-2
/// BPE. GPT-2's &lt;|endoftext|&gt; serves as BOS. The BPE itself comes from NativeCore.Tokenizers
/// (<c>Gpt2Tokenizer.Register()</c>), so the core carries no tokenizer library.
/// </summary>
public static partial class TinyStoriesInstruct
{
    private static ISubwordTokenizer? _tokenizer;

    /// <summary>The GPT-2 BPE tokenizer, once registered; reading a real shard without one is refused by name.</summary>
    public static ISubwordTokenizer Tokenizer
    {
        get => _tokenizer ?? throw new InvalidConfigException("reading a TinyStories-Instruct shard needs the GPT-2 BPE: reference NativeCore.Tokenizers and call Gpt2Tokenizer.Register() (the nativecore command does)");
        set => _tokenizer = value;
    }

    /// <summary>Whether a tokenizer is registered.</summary>
    public static bool HasTokenizer => _tokenizer is not null;

    /// <summary>The id of BOS (&lt;|endoftext|&gt;, 50256).</summary>
    public static int BosId => Tokenizer.BosId;

    /// <summary>The vocabulary size of the GPT-2 BPE.</summary>
    public const int VocabularySize = 50257;

    /// <summary>
    /// Reads a shard: a JSON array of records. Every record needs a string <c>story</c> and <c>summary</c> and an
    /// <c>instruction</c> object with a <c>words</c> list of three strings and a <c>features</c> list of known feature names.
    /// </summary>
    /// <exception cref="InvalidConfigException">The file is missing, is not JSON, or a record lacks a field; the message names the file, record and field.</exception>
    internal static IReadOnlyList<TinyStoriesRecord> Load(string path)
    {
        using (var doc = IO.JsonFiles.Parse(path, "a TinyStories-Instruct shard is a JSON array of records"))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidConfigException($"{path}: a shard must be a JSON array of records");
            var records = new List<TinyStoriesRecord>();
            int index = 0;
            foreach (var r in doc.RootElement.EnumerateArray())
            {
                string where = $"{path}: record {index}";
                // TryGetProperty on a number or string throws InvalidOperationException, so the kind is checked first.
                if (r.ValueKind != JsonValueKind.Object)
                    throw new InvalidConfigException($"{where}: a record must be an object, got {r.ValueKind.ToString().ToLowerInvariant()} {Clip(r.GetRawText())}");
                // A string may escape a lone UTF-16 surrogate ("\ud800"): valid JSON, on which GetString throws
                // InvalidOperationException.
                string Text(JsonElement v, string field)
                {
                    try
                    {
                        return v.GetString()!;
                    }
                    catch (InvalidOperationException e)
                    {
                        throw new InvalidConfigException($"{where}: field '{field}' is not valid text: {e.Message}");
                    }
                }
                string Str(JsonElement e, string field) =>
                    e.ValueKind == JsonValueKind.Object && e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
                        ? Text(v, field)
                        : throw new InvalidConfigException($"{where}: field '{field}' is missing or not a string");
                if (!r.TryGetProperty("instruction", out var instruction) || instruction.ValueKind != JsonValueKind.Object)
                    throw new InvalidConfigException($"{where}: field 'instruction' is missing or not an object");
                string[] List(string field) =>
                    instruction.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
                        ? v.EnumerateArray().Select(x => Text(x, $"instruction.{field}")).ToArray()
                        : throw new InvalidConfigException($"{where}: field 'instruction.{field}' is missing or not a list of strings");
                var features = StoryFeature.None;
                foreach (string f in List("features"))
                {
                    try
                    {
                        features |= StoryFeatures.Parse(f);
                    }
                    catch (InvalidConfigException e)
                    {
                        throw new InvalidConfigException($"{where}: field 'instruction.features': {e.Message}");
                    }
                }
                records.Add(new TinyStoriesRecord(Str(r, "story"), List("words"), features, Str(r, "summary"), r.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? Text(s, "source") : ""));
                index++;
            }
            return records;
        }
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>
    /// The example of a record: the four instruction lines in an order drawn from (seed, index), then the story. The
    /// summary loses its newlines; the Sentence line is a random sentence of the story without a quote (empty when
    /// every sentence has one); the Features line is written even when empty.
    /// </summary>
    internal static StoryExample ToExample(TinyStoriesRecord record, ulong seed, long index)
    {
        ArgumentNullException.ThrowIfNull(record);
        var rng = new SampleRng(seed, 0x7157, (ulong)index);
        var quoteless = SentenceSplit().Split(record.Story.Trim()).Select(s => s.Trim()).Where(s => s.Length > 0 && !s.Contains('"', StringComparison.Ordinal)).ToList();
        var order = StoryExample.HeaderKeys.ToList();
        rng.Shuffle(order);
        return new StoryExample
        {
            Features = record.Features,
            Listed = record.Features,
            Words = record.Words,
            Summary = record.Summary.Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim(),
            Sentence = quoteless.Count == 0 ? "" : quoteless[rng.Next(quoteless.Count)],
            Story = record.Story.Trim(),
            HeaderOrder = order,
            ListSeparator = ", ",
        };
    }

    /// <summary>BOS then the GPT-2 ids of the example's text.</summary>
    internal static int[] Encode(StoryExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        return [BosId, .. Tokenizer.Encode(example.Text)];
    }

    /// <summary>Sentences end at ., ! or ? followed by whitespace.</summary>
    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceSplit();
}

/// <summary>One TinyStories-Instruct record.</summary>
/// <param name="Story">The story text.</param>
/// <param name="Words">The instruction's three words.</param>
/// <param name="Features">The instruction's features.</param>
/// <param name="Summary">The summary.</param>
/// <param name="Source">Which model wrote it (kept, not used).</param>
internal sealed record TinyStoriesRecord(string Story, IReadOnlyList<string> Words, StoryFeature Features, string Summary, string Source);
