namespace NativeCore.Stories;

/// <summary>
/// A story corpus as the trainer sees it: examples by index after a deletion protocol, their token ids (BOS first),
/// and the tokens that end a generated story. ProcStories is unbounded; a real shard is cycled.
/// </summary>
internal sealed class StoryCorpus
{
    private readonly Func<long, StoryExample> _example;
    private readonly Func<string, int[]> _encodeText;
    private readonly Func<IEnumerable<int>, string> _decode;
    private readonly HashSet<int> _stops;

    private StoryCorpus(string name, int vocabularySize, int bosId, Func<long, StoryExample> example, Func<string, int[]> encodeText, Func<IEnumerable<int>, string> decode, IEnumerable<int> stops)
    {
        Name = name;
        VocabularySize = vocabularySize;
        BosId = bosId;
        _example = example;
        _encodeText = encodeText;
        _decode = decode;
        _stops = [.. stops];
    }

    /// <summary>procedural, or the shard's path.</summary>
    public string Name { get; }

    /// <summary>Token ids run from 0 to this − 1.</summary>
    public int VocabularySize { get; }

    /// <summary>The id every example starts with.</summary>
    public int BosId { get; }

    /// <summary>ProcStories-Instruct from <paramref name="seed"/>, with its word tokenizer.</summary>
    public static StoryCorpus Procedural(ulong seed)
    {
        var stories = new ProcStories(seed);
        var tok = WordTokenizer.ProcStories;
        var keys = StoryExample.HeaderKeys.Append(StoryExample.StoryKey).Select(tok.Id).Append(tok.BosId);
        return new StoryCorpus("procedural", tok.Count, tok.BosId, stories.Example, tok.Encode, tok.Decode, keys);
    }

    /// <summary>A TinyStories-Instruct shard, cycled, with the GPT-2 BPE; <paramref name="seed"/> orders the header lines.</summary>
    public static StoryCorpus Real(string path, ulong seed)
    {
        var records = TinyStoriesInstruct.Load(path);
        if (records.Count == 0) throw new InvalidConfigException($"{path}: the shard holds no records");
        return new StoryCorpus(path, TinyStoriesInstruct.VocabularySize, TinyStoriesInstruct.BosId,
            i => TinyStoriesInstruct.ToExample(records[(int)(i % records.Count)], seed, i), text => TinyStoriesInstruct.Tokenizer.Encode(text),
            ids => TinyStoriesInstruct.Tokenizer.Decode(ids), [TinyStoriesInstruct.BosId]);
    }

    /// <summary>Example <paramref name="index"/> of the raw corpus.</summary>
    public StoryExample Example(long index) => _example(index);

    /// <summary>Whether the judge can read this corpus's stories (ProcStories only).</summary>
    public bool Judgeable => Name == "procedural";

    /// <summary>BOS and the example's ids.</summary>
    public int[] Encode(StoryExample example) => [BosId, .. EncodeText((example ?? throw new ArgumentNullException(nameof(example))).Text)];

    /// <summary>The ids of a text, without BOS.</summary>
    public int[] EncodeText(string text) => _encodeText(text);

    /// <summary>Ids as text.</summary>
    public string Decode(IEnumerable<int> ids) => _decode(ids);

    /// <summary>
    /// A generated story as text, cut where the next instruction line (<c>Words:</c>, <c>Features:</c>, <c>Summary:</c>,
    /// <c>Sentence:</c>, <c>Story:</c>) begins. Procedural generation already stops at a key's token; the real shards'
    /// BPE spells a key in several tokens, so their stories are cut here, after decoding.
    /// </summary>
    public string Story(IEnumerable<int> ids)
    {
        string text = Decode(ids);
        int cut = text.Length;
        foreach (string key in StoryExample.HeaderKeys.Append(StoryExample.StoryKey))
        {
            int at = text.IndexOf("\n" + key, StringComparison.Ordinal);
            if (at >= 0 && at < cut) cut = at;
        }
        return text[..cut];
    }

    /// <summary>Whether a generated token ends the story: BOS, or (procedural) an instruction key.</summary>
    public bool Stops(int id) => _stops.Contains(id);

    /// <summary>
    /// The ids of examples from <paramref name="firstIndex"/> on that survive <paramref name="protocol"/>, concatenated
    /// until at least <paramref name="length"/> tokens: the stream that training windows are cut from.
    /// </summary>
    public List<int> Stream(DeletionProtocol protocol, long firstIndex, int length)
    {
        var ids = new List<int>(length + 256);
        for (long i = firstIndex; ids.Count < length; i++)
        {
            if (i - firstIndex > 100_000 + 1000L * length) throw new InvalidConfigException($"{Name}: no example survives the {protocol} protocol");
            if (StoryDeletion.Apply(protocol, Example(i)) is { } kept) ids.AddRange(Encode(kept));
        }
        return ids;
    }
}
