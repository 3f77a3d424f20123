using System.Text.Json.Serialization;

namespace NativeCore.Model;

/// <summary>
/// The shape of a minGPT-style model. Field names follow the golden cases' case.json and nanoGPT's GPTConfig, so a
/// config round-trips through JSON unchanged.
/// </summary>
public sealed record GptConfig
{
    /// <summary>Number of transformer blocks.</summary>
    [JsonPropertyName("n_layer")] public int NLayer { get; init; } = 2;

    /// <summary>Attention heads per block; must divide <see cref="NEmbd"/>.</summary>
    [JsonPropertyName("n_head")] public int NHead { get; init; } = 2;

    /// <summary>Width of the residual stream.</summary>
    [JsonPropertyName("n_embd")] public int NEmbd { get; init; } = 32;

    /// <summary>Longest sequence; the size of the position-embedding table.</summary>
    [JsonPropertyName("block_size")] public int BlockSize { get; init; } = 16;

    /// <summary>Number of token ids.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 16;

    /// <summary>Dropout probability on the embedding and both residual branches (0 turns it off).</summary>
    [JsonPropertyName("dropout")] public float Dropout { get; init; }

    /// <summary>Whether Linear and LayerNorm layers carry biases (minGPT: true).</summary>
    [JsonPropertyName("bias")] public bool Bias { get; init; } = true;

    /// <summary>Whether the LM head reuses <c>transformer.wte.weight</c>.</summary>
    [JsonPropertyName("tied_embeddings")] public bool TiedEmbeddings { get; init; }

    /// <summary>LayerNorm epsilon.</summary>
    [JsonPropertyName("layer_norm_eps")] public float LayerNormEps { get; init; } = 1e-5f;

    /// <summary>Width of one head.</summary>
    [JsonIgnore] public int HeadSize => NEmbd / NHead;

    /// <summary>Throws <see cref="InvalidConfigException"/> naming the first field that cannot work.</summary>
    public void Validate()
    {
        static void Positive(string name, int value)
        {
            if (value <= 0) throw new InvalidConfigException($"model.{name} must be positive, got {value}");
        }
        Positive("n_layer", NLayer);
        Positive("n_head", NHead);
        Positive("n_embd", NEmbd);
        Positive("block_size", BlockSize);
        Positive("vocab_size", VocabSize);
        if (NEmbd % NHead != 0) throw new InvalidConfigException($"model.n_embd ({NEmbd}) must be a multiple of model.n_head ({NHead})");
        if (Dropout is < 0 or >= 1 || float.IsNaN(Dropout)) throw new InvalidConfigException($"model.dropout must be in [0, 1), got {Dropout}");
        if (!(LayerNormEps > 0)) throw new InvalidConfigException($"model.layer_norm_eps must be positive, got {LayerNormEps}");
    }
}
