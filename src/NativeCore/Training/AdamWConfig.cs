using System.Text.Json.Serialization;

namespace NativeCore.Training;

/// <summary>AdamW hyper-parameters; names match the golden cases' <c>optimizer</c> block.</summary>
public sealed record AdamWConfig
{
    /// <summary>Peak learning rate.</summary>
    [JsonPropertyName("lr")] public float LearningRate { get; set; } = 1e-3f;

    /// <summary>First-moment decay.</summary>
    [JsonPropertyName("beta1")] public float Beta1 { get; set; } = 0.9f;

    /// <summary>Second-moment decay.</summary>
    [JsonPropertyName("beta2")] public float Beta2 { get; set; } = 0.95f;

    /// <summary>Denominator epsilon.</summary>
    [JsonPropertyName("eps")] public float Eps { get; set; } = 1e-8f;

    /// <summary>Decoupled weight decay, applied to the weights of Linear layers only.</summary>
    [JsonPropertyName("weight_decay")] public float WeightDecay { get; set; } = 0.1f;

    /// <summary>Global gradient-norm clip; 0 or less turns clipping off.</summary>
    [JsonPropertyName("grad_clip")] public float GradClip { get; set; } = 1f;
}
