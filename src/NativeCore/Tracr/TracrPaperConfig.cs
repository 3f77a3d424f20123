using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.Experiments;

namespace NativeCore.Tracr;

/// <summary>
/// The Tracr grid of <c>nativecore paper --setting tracr</c> (spec tracr.md §4–5): both programs, the paper's four
/// learning rates, C_Tr 0 and 1, the starting-point scan that picks the Counter's N, single-weight pruning and reFT of
/// every Counter fine-tune, and a control that never had the capability. Every other value is
/// <see cref="TracrRecipe"/>'s (noise, SGD with momentum, warm-up, cosine, no clip, a fixed readout).
/// </summary>
internal sealed record TracrPaperConfig
{
    /// <summary>quick or paper.</summary>
    [JsonPropertyName("preset")] public string Preset { get; set; } = "quick";

    /// <summary>The fine-tuning learning rates (Table 3's rows).</summary>
    [JsonPropertyName("learning_rates")] public double[] LearningRates { get; set; } = [1e-1, 1e-2, 1e-3, 1e-4];

    /// <summary>C_Tr values.</summary>
    [JsonPropertyName("ctrs")] public double[] CorrelatedShares { get; set; } = [0, 1];

    /// <summary>Fine-tuning iterations: the spec's 10K, which the compiled models' small size lets even the quick preset afford.</summary>
    [JsonPropertyName("steps")] public int Steps { get; set; } = 10_000;

    /// <summary>Evaluate every this many fine-tuning steps.</summary>
    [JsonPropertyName("eval_every")] public int EvalEvery { get; set; } = 1000;

    /// <summary>reFT iterations back to count a at <see cref="TracrRecipe.ReftLearningRate"/> (the spec expects revival within 0.1K–1K).</summary>
    [JsonPropertyName("reft_steps")] public int ReftSteps { get; set; } = 1000;

    /// <summary>Evaluate reFT every this many steps.</summary>
    [JsonPropertyName("reft_eval_every")] public int ReftEvalEvery { get; set; } = 25;

    /// <summary>
    /// Global gradient-norm clip of the fine-tunes and reFT; 0, the default, is the spec's recipe. Unclipped, the larger
    /// learning rates can diverge on the compiled weights; the report says which runs did, and states the clip when set.
    /// </summary>
    [JsonPropertyName("grad_clip")] public double GradClip { get; init; }

    /// <summary>The largest number of single weights pruning may zero.</summary>
    [JsonPropertyName("prune_k")] public int PruneK { get; set; } = 5;

    /// <summary>The Counter lengths the starting-point scan tries; the grid runs at its choice.</summary>
    [JsonPropertyName("scan_lengths")] public int[] ScanLengths { get; set; } = [.. StartingPoint.DefaultLengths];

    /// <summary>The noise levels the scan tries.</summary>
    [JsonPropertyName("scan_stds")] public double[] ScanStds { get; set; } = [.. StartingPoint.DefaultStds];

    /// <summary>Noise seeds per scan cell.</summary>
    [JsonPropertyName("scan_seeds")] public int ScanSeeds { get; set; } = StartingPoint.DefaultSeeds;

    /// <summary>The Max-identifier's N (the spec's default: 12, with 10 distinct letters).</summary>
    [JsonPropertyName("maxid_length")] public int MaxIdLength { get; set; } = 12;

    /// <summary>Samples per held-out set.</summary>
    [JsonPropertyName("eval_size")] public int EvalSize { get; set; } = 1024;

    /// <summary>Seed of the noise, the data and the control's weights.</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; set; } = 1;

    /// <summary>
    /// The named presets: quick (the spec's iterations; fits 20 minutes cold on 2 cores), paper (longer reFT, more
    /// pruning, larger held-out sets) and smoke (seconds, for tests).
    /// </summary>
    public static TracrPaperConfig Named(string name) => name switch
    {
        "quick" => new TracrPaperConfig(),
        "paper" => new TracrPaperConfig { Preset = "paper", ReftSteps = 4000, ReftEvalEvery = 50, PruneK = 10, EvalSize = 4096, ScanSeeds = 10 },
        "smoke" => new TracrPaperConfig { Preset = "smoke", LearningRates = [1e-1, 1e-3], Steps = 12, EvalEvery = 6, ReftSteps = 8, ReftEvalEvery = 4, PruneK = 2,
            ScanLengths = [6], ScanStds = [1e-3], ScanSeeds = 2, MaxIdLength = 8, EvalSize = 64 },
        _ => throw new InvalidConfigException($"unknown tracr preset '{name}'; use quick, paper or smoke"),
    };

    /// <summary>The options the grid's <c>--set</c> keys and values are read with.</summary>
    internal static JsonSerializerOptions OverrideOptions => IO.JsonMetadata.Compact;

    /// <summary>Applies <c>key=value</c> overrides through <see cref="Overrides"/>, then checks the result.</summary>
    /// <exception cref="InvalidConfigException">An unknown key, a value of the wrong type, or an invalid value; the message names it.</exception>
    public TracrPaperConfig WithOverrides(IEnumerable<string> overrides)
    {
        var c = Overrides.Apply(this, overrides, "tracr paper", OverrideOptions);
        c.Validate();
        return c;
    }

    /// <summary>Throws naming the first field that cannot work.</summary>
    public void Validate()
    {
        void Check(bool ok, string field, object value, string rule)
        {
            if (!ok) throw new InvalidConfigException($"tracr paper {field} {rule}, got {value}");
        }
        Check(LearningRates.Length > 0 && LearningRates.All(lr => lr > 0 && double.IsFinite(lr)), "learning_rates", string.Join(",", LearningRates), "must be positive numbers");
        Check(CorrelatedShares.Length > 0 && CorrelatedShares.All(c => c is >= 0 and <= 1), "ctrs", string.Join(",", CorrelatedShares), "must lie in [0, 1]");
        Check(Steps > 0, "steps", Steps, "must be positive");
        Check(EvalEvery > 0, "eval_every", EvalEvery, "must be positive");
        Check(ReftSteps > 0, "reft_steps", ReftSteps, "must be positive");
        Check(ReftEvalEvery > 0, "reft_eval_every", ReftEvalEvery, "must be positive");
        Check(PruneK > 0, "prune_k", PruneK, "must be positive");
        Check(GradClip >= 0 && double.IsFinite(GradClip), "grad_clip", GradClip, "must be non-negative");
        Check(ScanLengths.Length > 0 && ScanLengths.All(n => n is >= 2 and <= 64), "scan_lengths", string.Join(",", ScanLengths), "must lie in [2, 64]");
        Check(ScanStds.Length > 0 && ScanStds.All(s => s >= 0 && double.IsFinite(s)), "scan_stds", string.Join(",", ScanStds), "must be non-negative");
        Check(ScanSeeds > 0, "scan_seeds", ScanSeeds, "must be positive");
        Check(MaxIdLength is >= 6 and <= 26, "maxid_length", MaxIdLength, "must lie in [6, 26]");
        Check(EvalSize > 0, "eval_size", EvalSize, "must be positive");
    }

    /// <summary>The fine-tuning recipe of one grid cell: the spec's, at this grid's length, lr, C_Tr and seed.</summary>
    public TracrRecipe Finetune(double learningRate, double correlatedShare) =>
        new() { Steps = Steps, EvalEvery = EvalEvery, EvalSize = EvalSize, LearningRate = learningRate, CorrelatedShare = correlatedShare, Seed = Seed, GradClip = GradClip };

    /// <summary>The reFT recipe: back to count a at the spec's lr, no noise, on plain data.</summary>
    public TracrRecipe Reft() => TracrRecipe.ReverseFinetune(TracrRecipe.ReftLearningRate, ReftSteps, ReftEvalEvery) with { EvalSize = EvalSize, Seed = Seed, GradClip = GradClip };
}
