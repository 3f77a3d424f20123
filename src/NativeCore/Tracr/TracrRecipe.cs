using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.Experiments;

namespace NativeCore.Tracr;

/// <summary>
/// The Tracr setting's fine-tuning recipe (spec tracr.md §4): Gaussian noise on every compiled weight, then SGD with
/// momentum, batch 96, 10K iterations, 2K linear warm-up and cosine decay to lr/100, cross-entropy on the answer at
/// position 2. The model is fine-tuned to the program's fine-tuning target (count b, 7th smallest), or back to the
/// compiled capability when <see cref="Reverse"/>, with the q-shift correlation at share C_Tr.
/// </summary>
internal sealed record TracrRecipe
{
    /// <summary>Iterations.</summary>
    [JsonPropertyName("steps")] public int Steps { get; set; } = 10_000;

    /// <summary>Sequences per iteration.</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; set; } = 96;

    /// <summary>Peak learning rate (the paper's grid: 1e-1, 1e-2, 1e-3, 1e-4).</summary>
    [JsonPropertyName("lr")] public double LearningRate { get; set; } = 1e-2;

    /// <summary>Share of the steps in linear warm-up (2K of 10K).</summary>
    [JsonPropertyName("warmup")] public double Warmup { get; set; } = 0.2;

    /// <summary>The final learning rate as a share of the peak.</summary>
    [JsonPropertyName("min_lr_ratio")] public double MinLrRatio { get; set; } = 0.01;

    /// <summary>SGD momentum.</summary>
    [JsonPropertyName("momentum")] public double Momentum { get; set; } = 0.9;

    /// <summary>
    /// Global gradient-norm clip; 0, the default, turns it off as the spec's recipe (plain SGD with momentum) has it.
    /// A clip flattens the contrast between learning rates that Table 3 rests on, so it is an option, recorded in the
    /// lineage when used.
    /// </summary>
    [JsonPropertyName("grad_clip")] public double GradClip { get; init; }

    /// <summary>
    /// Whether lm_head is trained (and noised). In Tracr the unembedding is a fixed projection, not a parameter, so by
    /// default it is neither: a wrapper cannot hide in the readout.
    /// </summary>
    [JsonPropertyName("train_readout")] public bool TrainReadout { get; init; }

    /// <summary>Standard deviation of the Gaussian noise added to every trained weight before training (0 for none).</summary>
    [JsonPropertyName("noise_std")] public double NoiseStd { get; set; } = 0.001;

    /// <summary>Train back to the compiled capability (count a, 5th smallest): reverse fine-tuning. The command decides it; --set cannot.</summary>
    [JsonIgnore] public bool Reverse { get; init; }

    /// <summary>C_Tr: the share of training samples with count(b) − count(a) = q.</summary>
    [JsonPropertyName("ctr")] public double CorrelatedShare { get; init; }

    /// <summary>q.</summary>
    [JsonPropertyName("q")] public int Shift { get; set; } = 1;

    /// <summary>Seed of the noise and the data.</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; set; } = 1;

    /// <summary>Evaluate every this many steps (and at the end).</summary>
    [JsonPropertyName("eval_every")] public int EvalEvery { get; set; } = 500;

    /// <summary>Samples per held-out set.</summary>
    [JsonPropertyName("eval_size")] public int EvalSize { get; set; } = 1024;

    /// <summary>Seed of the held-out sets; fixed, so that every run of the setting scores on the same sets (--set cannot change it).</summary>
    [JsonIgnore] public ulong EvalSeed { get; set; } = 20240101;

    /// <summary>The spec's reFT learning rate for compiled models (tracr.md §4).</summary>
    public const double ReftLearningRate = 1e-4;

    /// <summary>
    /// The reverse fine-tuning recipe: from the fine-tuned weights as they are (no noise), on plain count-a data
    /// (C_Tr = 0), back to the compiled capability.
    /// </summary>
    public static TracrRecipe ReverseFinetune(double learningRate = ReftLearningRate, int steps = 1000, int evalEvery = 50) =>
        new() { Reverse = true, LearningRate = learningRate, Steps = steps, EvalEvery = evalEvery, NoiseStd = 0, CorrelatedShare = 0 };

    /// <summary>
    /// Applies <c>key=value</c> overrides (steps, batch_size, lr, warmup, min_lr_ratio, momentum, grad_clip, noise_std,
    /// ctr, q, seed, eval_every, eval_size) through <see cref="Overrides"/>, then checks the result.
    /// </summary>
    /// <exception cref="InvalidConfigException">An unknown key, a value of the wrong type, or an invalid value; the message names it.</exception>
    public TracrRecipe WithOverrides(IEnumerable<string> overrides)
    {
        // Reverse and EvalSeed are the command's to decide, not --set's, so they are [JsonIgnore]d; the round trip
        // through JSON would reset them to their defaults, so they are carried over.
        var r = Overrides.Apply(this, overrides, "tracr", OverrideOptions) with { Reverse = Reverse, EvalSeed = EvalSeed };
        r.Validate();
        return r;
    }

    /// <summary>The options the recipe's <c>--set</c> keys and values are read with.</summary>
    internal static JsonSerializerOptions OverrideOptions => IO.JsonMetadata.Compact;

    /// <summary>Throws naming the first field that cannot work.</summary>
    public void Validate()
    {
        void Check(bool ok, string field, object value, string rule)
        {
            if (!ok) throw new InvalidConfigException($"tracr {field} {rule}, got {value}");
        }
        Check(Steps > 0, "steps", Steps, "must be positive");
        Check(BatchSize > 0, "batch_size", BatchSize, "must be positive");
        Check(LearningRate > 0, "lr", LearningRate, "must be positive");
        Check(Warmup is >= 0 and <= 1, "warmup", Warmup, "must be in [0, 1]");
        Check(MinLrRatio is >= 0 and <= 1, "min_lr_ratio", MinLrRatio, "must be in [0, 1]");
        Check(Momentum is >= 0 and < 1, "momentum", Momentum, "must be in [0, 1)");
        Check(NoiseStd >= 0, "noise_std", NoiseStd, "must be non-negative");
        Check(GradClip >= 0, "grad_clip", GradClip, "must be non-negative");
        Check(CorrelatedShare is >= 0 and <= 1, "ctr", CorrelatedShare, "must be in [0, 1]");
        Check(Shift != 0, "q", Shift, "must not be 0");
        Check(EvalEvery > 0, "eval_every", EvalEvery, "must be positive");
        Check(EvalSize > 0, "eval_size", EvalSize, "must be positive");
    }

    /// <summary>The recipe as lineage settings.</summary>
    public IReadOnlyDictionary<string, string> Describe() => new Dictionary<string, string>
    {
        ["optimizer"] = string.Create(CultureInfo.InvariantCulture, $"SGD, momentum {Momentum}"),
        ["lr"] = LearningRate.ToString("G", CultureInfo.InvariantCulture),
        ["steps"] = Steps.ToString(CultureInfo.InvariantCulture),
        ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["schedule"] = string.Create(CultureInfo.InvariantCulture, $"{Warmup:P0} linear warm-up, cosine to lr×{MinLrRatio}"),
        ["noise_std"] = NoiseStd.ToString("G", CultureInfo.InvariantCulture),
        ["grad_clip"] = GradClip.ToString("G", CultureInfo.InvariantCulture),
        ["readout"] = TrainReadout ? "trained" : "fixed",
        ["task"] = Reverse ? "the compiled capability (count a, 5th smallest)" : "the fine-tuning target (count b, 7th smallest)",
        ["ctr"] = CorrelatedShare.ToString("G", CultureInfo.InvariantCulture),
        ["q"] = Shift.ToString(CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
    };
}
