using System.Text.Json.Serialization;

namespace NativeCore.Model;

/// <summary>
/// The shape of a minGPT-style model. Field names follow the golden cases' case.json and nanoGPT's GPTConfig, so a
/// config round-trips through JSON unchanged.
/// </summary>
public sealed record GptConfig
{
    /// <summary>Number of transformer blocks.</summary>
    [JsonPropertyName("n_layer")] public int NLayer { get; set; } = 2;

    /// <summary>Attention heads per block; must divide <see cref="NEmbd"/>.</summary>
    [JsonPropertyName("n_head")] public int NHead { get; set; } = 2;

    /// <summary>Width of the residual stream.</summary>
    [JsonPropertyName("n_embd")] public int NEmbd { get; set; } = 32;

    /// <summary>Longest sequence; the size of the position-embedding table.</summary>
    [JsonPropertyName("block_size")] public int BlockSize { get; set; } = 16;

    /// <summary>Number of token ids.</summary>
    [JsonPropertyName("vocab_size")] public int VocabSize { get; set; } = 16;

    /// <summary>Dropout probability on the embedding and both residual branches (0 turns it off).</summary>
    [JsonPropertyName("dropout")] public float Dropout { get; init; }

    /// <summary>Whether Linear and LayerNorm layers carry biases (minGPT: true).</summary>
    [JsonPropertyName("bias")] public bool Bias { get; set; } = true;

    /// <summary>Whether the LM head reuses <c>transformer.wte.weight</c>.</summary>
    [JsonPropertyName("tied_embeddings")] public bool TiedEmbeddings { get; init; }

    /// <summary>LayerNorm epsilon.</summary>
    [JsonPropertyName("layer_norm_eps")] public float LayerNormEps { get; set; } = 1e-5f;

    /// <summary>
    /// The normalisation before each branch and the LM head: <c>layernorm</c> (minGPT), <c>rmsnorm</c> (LLaMA) or
    /// <c>none</c> (a Tracr-compiled model, whose residual directions must reach every layer unscaled).
    /// </summary>
    [JsonPropertyName("norm")] public string Norm { get; set; } = NormKinds.LayerNorm;

    /// <summary>
    /// The MLP's nonlinearity: <c>gelu_tanh</c> (minGPT; the golden cases name it so), <c>relu</c> (Tracr) or
    /// <c>swiglu</c> (LLaMA: c_fc produces a gate and an up projection of n_inner each, and c_proj reads silu(gate)·up).
    /// </summary>
    [JsonPropertyName("activation")] public string Activation { get; set; } = ActivationKinds.Gelu;

    /// <summary>Positions: <c>learned</c> (a wpe table, minGPT) or <c>rope</c> (rotary q and k, LLaMA; no wpe).</summary>
    [JsonPropertyName("position")] public string Position { get; set; } = PositionKinds.Learned;

    /// <summary>θ of rotary embeddings.</summary>
    [JsonPropertyName("rope_theta")] public float RopeTheta { get; set; } = 10000f;

    /// <summary>Whether attention is masked to earlier positions (a decoder) or sees the whole sequence (Tracr).</summary>
    [JsonPropertyName("causal")] public bool Causal { get; set; } = true;

    /// <summary>Width of one head's query, key and value; null means <c>n_embd / n_head</c>.</summary>
    [JsonPropertyName("head_size")] public int? HeadSizeOverride { get; init; }

    /// <summary>Hidden width of the MLP; null means <c>4 · n_embd</c>.</summary>
    [JsonPropertyName("n_inner")] public int? InnerOverride { get; init; }

    /// <summary>Rows of the LM head (output classes); null means <c>vocab_size</c>. Needs untied embeddings.</summary>
    [JsonPropertyName("n_output")] public int? OutputOverride { get; init; }

    /// <summary>Width of one head.</summary>
    [JsonIgnore] public int HeadSize => HeadSizeOverride ?? NEmbd / NHead;

    /// <summary>Width of all heads together: the rows of q, k and v in <c>c_attn</c>.</summary>
    [JsonIgnore] public int AttentionWidth => NHead * HeadSize;

    /// <summary>Hidden width of the MLP.</summary>
    [JsonIgnore] public int Inner => InnerOverride ?? 4 * NEmbd;

    /// <summary>Number of output classes (logits per position).</summary>
    [JsonIgnore] public int OutputSize => OutputOverride ?? VocabSize;

    /// <summary>Rows of c_fc: twice n_inner for SwiGLU's gate and up projection.</summary>
    [JsonIgnore] public int FcRows => Activation == ActivationKinds.SwiGlu ? 2 * Inner : Inner;

    /// <summary>Whether positions come from a learned wpe table.</summary>
    [JsonIgnore] public bool HasPositionTable => Position == PositionKinds.Learned;

    /// <summary>Whether the blocks and the LM head are preceded by a norm (LayerNorm or RMSNorm).</summary>
    [JsonIgnore] public bool HasNorm => Norm != NormKinds.None;

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
        if (HeadSizeOverride is { } hs) Positive("head_size", hs);
        else if (NEmbd % NHead != 0) throw new InvalidConfigException($"model.n_embd ({NEmbd}) must be a multiple of model.n_head ({NHead})");
        if (Dropout is < 0 or >= 1 || float.IsNaN(Dropout)) throw new InvalidConfigException($"model.dropout must be in [0, 1), got {Dropout}");
        if (InnerOverride is { } inner) Positive("n_inner", inner);
        if (OutputOverride is { } output)
        {
            Positive("n_output", output);
            if (TiedEmbeddings && output != VocabSize) throw new InvalidConfigException($"model.n_output ({output}) must equal model.vocab_size ({VocabSize}) when model.tied_embeddings is true");
        }
        if (Norm is not (NormKinds.LayerNorm or NormKinds.RmsNorm or NormKinds.None)) throw new InvalidConfigException($"model.norm must be '{NormKinds.LayerNorm}', '{NormKinds.RmsNorm}' or '{NormKinds.None}', got '{Norm}'");
        if (Activation is not (ActivationKinds.Gelu or ActivationKinds.Relu or ActivationKinds.SwiGlu)) throw new InvalidConfigException($"model.activation must be '{ActivationKinds.Gelu}', '{ActivationKinds.Relu}' or '{ActivationKinds.SwiGlu}', got '{Activation}'");
        if (Position is not (PositionKinds.Learned or PositionKinds.Rope)) throw new InvalidConfigException($"model.position must be '{PositionKinds.Learned}' or '{PositionKinds.Rope}', got '{Position}'");
        if (Position == PositionKinds.Rope && HeadSize % 2 != 0) throw new InvalidConfigException($"model.position 'rope' needs an even head size (model.head_size, or model.n_embd / model.n_head), got {HeadSize}");
        if (!(RopeTheta > 0)) throw new InvalidConfigException($"model.rope_theta must be positive, got {RopeTheta}");
        if (!(LayerNormEps > 0)) throw new InvalidConfigException($"model.layer_norm_eps must be positive, got {LayerNormEps}");
        // Sizes are products of these fields; past the cap they would overflow int before any allocation could fail.
        MemoryEstimate.Check(this, 1, BlockSize, MemoryEstimate.Describe(this));
    }
}

/// <summary>Values of <see cref="GptConfig.Norm"/>.</summary>
public static class NormKinds
{
    /// <summary>Pre-LayerNorm, minGPT's.</summary>
    public const string LayerNorm = "layernorm";
    /// <summary>RMSNorm: x/√(mean(x²) + eps)·weight, LLaMA's.</summary>
    public const string RmsNorm = "rmsnorm";
    /// <summary>No normalisation at all.</summary>
    public const string None = "none";
}

/// <summary>Values of <see cref="GptConfig.Activation"/>.</summary>
public static class ActivationKinds
{
    /// <summary>tanh-approximated GELU.</summary>
    public const string Gelu = "gelu_tanh";
    /// <summary>max(0, x).</summary>
    public const string Relu = "relu";
    /// <summary>silu(gate)·up.</summary>
    public const string SwiGlu = "swiglu";
}

/// <summary>Values of <see cref="GptConfig.Position"/>.</summary>
public static class PositionKinds
{
    /// <summary>A learned table added to the token embedding.</summary>
    public const string Learned = "learned";
    /// <summary>Rotary embeddings of q and k.</summary>
    public const string Rope = "rope";
}
