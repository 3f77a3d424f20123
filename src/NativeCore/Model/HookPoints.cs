namespace NativeCore.Model;

/// <summary>
/// Names of the activations a caller can read without touching model code, TransformerLens style. The same names
/// key the golden cases' <c>act.*</c> tensors.
/// </summary>
public static class HookPoints
{
    /// <summary>Token plus position embedding, [B,T,C] (before embedding dropout).</summary>
    public const string Embed = "transformer.embed";

    /// <summary>The residual stream after block <paramref name="layer"/>, [B,T,C].</summary>
    public static string ResidPost(int layer) => $"transformer.h.{layer}.resid_post";

    /// <summary>The softmax attention probabilities of block <paramref name="layer"/>, [B,NH,T,T].</summary>
    public static string AttnPattern(int layer) => $"transformer.h.{layer}.attn.pattern";

    /// <summary>Every hook point a model of <paramref name="config"/> offers.</summary>
    public static IReadOnlyList<string> All(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var names = new List<string> { Embed };
        for (int l = 0; l < config.NLayer; l++)
        {
            names.Add(ResidPost(l));
            names.Add(AttnPattern(l));
        }
        return names;
    }
}
