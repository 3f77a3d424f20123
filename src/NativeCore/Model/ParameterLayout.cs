namespace NativeCore.Model;

/// <summary>How a parameter is initialised (minGPT's scheme).</summary>
public enum ParameterInit
{
    /// <summary>N(0, 0.02): embeddings and most Linear weights.</summary>
    Normal,
    /// <summary>N(0, 0.02/√(2·n_layer)): the projections that write into the residual stream.</summary>
    ResidualProjection,
    /// <summary>All zeros: biases.</summary>
    Zeros,
    /// <summary>All ones: LayerNorm gains.</summary>
    Ones,
}

/// <summary>One named parameter: where it lives in the flat buffer, its shape, and how it is treated.</summary>
/// <param name="Name">minGPT/nanoGPT name, for example <c>transformer.h.0.attn.c_attn.weight</c>.</param>
/// <param name="Shape">Dimensions; Linear weights are [out_features, in_features] as in torch.nn.Linear.</param>
/// <param name="Offset">First element in the flat buffer (aligned to 16 floats for SIMD).</param>
/// <param name="Decay">Whether AdamW applies weight decay (the weights of Linear layers only).</param>
/// <param name="Init">The initialisation rule.</param>
public sealed record ParameterSpec(string Name, int[] Shape, int Offset, bool Decay, ParameterInit Init)
{
    /// <summary>Number of elements.</summary>
    public int Length
    {
        get
        {
            // GptConfig.Validate caps the model first; checked turns a missed case into an error, not a wrapped size.
            int length = 1;
            foreach (int d in Shape) length = checked(length * d);
            return length;
        }
    }
}

/// <summary>
/// The ordered list of parameters of a <see cref="GptConfig"/> and their offsets in one contiguous buffer. Parameters,
/// gradients and both AdamW moments share this layout, so a view by name works on each of them.
/// </summary>
public sealed class ParameterLayout
{
    private const int Alignment = 16;
    private readonly Dictionary<string, ParameterSpec> _byName = new(StringComparer.Ordinal);

    /// <summary>Builds the layout in minGPT's order.</summary>
    public ParameterLayout(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        int c = config.NEmbd, attn = config.AttentionWidth, inner = config.Inner;
        var specs = new List<ParameterSpec>();
        int offset = 0;
        void Add(string name, ParameterInit init, bool decay, params int[] shape)
        {
            var spec = new ParameterSpec(name, shape, offset, decay, init);
            specs.Add(spec);
            _byName.Add(name, spec);
            offset = checked(offset + (spec.Length + Alignment - 1) / Alignment * Alignment);
        }
        void LayerNorm(string prefix)
        {
            if (!config.HasNorm) return;
            Add(prefix + ".weight", ParameterInit.Ones, false, c);
            if (config.Bias) Add(prefix + ".bias", ParameterInit.Zeros, false, c);
        }
        void Linear(string prefix, int outFeatures, int inFeatures, ParameterInit init)
        {
            Add(prefix + ".weight", init, true, outFeatures, inFeatures);
            if (config.Bias) Add(prefix + ".bias", ParameterInit.Zeros, false, outFeatures);
        }

        // A tied wte is also the LM head, but it stays an Embedding for decay purposes, as in minGPT (the tied golden case checks this).
        Add("transformer.wte.weight", ParameterInit.Normal, false, config.VocabSize, c);
        if (config.HasPositionTable) Add("transformer.wpe.weight", ParameterInit.Normal, false, config.BlockSize, c);
        for (int l = 0; l < config.NLayer; l++)
        {
            string h = $"transformer.h.{l}";
            LayerNorm(h + ".ln_1");
            Linear(h + ".attn.c_attn", 3 * attn, c, ParameterInit.Normal);
            Linear(h + ".attn.c_proj", c, attn, ParameterInit.ResidualProjection);
            LayerNorm(h + ".ln_2");
            Linear(h + ".mlp.c_fc", config.FcRows, c, ParameterInit.Normal);
            Linear(h + ".mlp.c_proj", c, inner, ParameterInit.ResidualProjection);
        }
        LayerNorm("transformer.ln_f");
        if (!config.TiedEmbeddings) Add("lm_head.weight", ParameterInit.Normal, true, config.OutputSize, c);
        Parameters = specs;
        TotalLength = offset;
    }

    /// <summary>Parameters in order.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Length of the flat buffer, padding included.</summary>
    public int TotalLength { get; }

    /// <summary>Number of trainable scalars (padding excluded).</summary>
    public long Count => Parameters.Sum(p => (long)p.Length);

    /// <summary>Whether a parameter of this name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    public ParameterSpec this[string name] => _byName.TryGetValue(name, out var spec)
        ? spec
        : throw new KeyNotFoundException($"the model has no parameter '{name}'");
}
