namespace NativeCore.Stories;

/// <summary>A subword tokenizer for text the core does not tokenise itself (the GPT-2 BPE of real TinyStories shards).</summary>
public interface ISubwordTokenizer
{
    /// <summary>The id of the token that starts a sequence.</summary>
    int BosId { get; }

    /// <summary>The ids of <paramref name="text"/>, without BOS.</summary>
    int[] Encode(string text);

    /// <summary>The text of <paramref name="ids"/>.</summary>
    string Decode(IEnumerable<int> ids);
}
