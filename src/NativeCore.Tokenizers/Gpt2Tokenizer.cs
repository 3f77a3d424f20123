using Microsoft.ML.Tokenizers;
using NativeCore.Stories;

namespace NativeCore.Tokenizers;

/// <summary>The GPT-2 BPE, loaded on first use from the Data.Gpt2 package.</summary>
public sealed class Gpt2Tokenizer : ISubwordTokenizer
{
    private readonly Lazy<TiktokenTokenizer> _bpe = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    /// <summary>Makes the GPT-2 BPE the tokenizer of real TinyStories shards (<see cref="TinyStoriesInstruct.Tokenizer"/>).</summary>
    public static void Register()
    {
        if (!TinyStoriesInstruct.HasTokenizer) TinyStoriesInstruct.Tokenizer = new Gpt2Tokenizer();
    }

    /// <inheritdoc/>
    public int BosId => _bpe.Value.SpecialTokens!["<|endoftext|>"];

    /// <inheritdoc/>
    public int[] Encode(string text) => [.. _bpe.Value.EncodeToIds(text)];

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids) => _bpe.Value.Decode(ids);
}
