using System.Text.Json.Serialization;

namespace NativeCore.Experiments;

/// <summary>
/// The grammar-setting grid that <c>nativecore paper</c> runs (spec §1, §7, §8): pre-training priors, fine-tuning
/// learning rates and C_Tr values, and the analysis settings. The paper preset holds the full grid; quick a subset.
/// </summary>
internal sealed record GridConfig
{
    /// <summary>Pre-training priors (named or "pa,pb,pc").</summary>
    [JsonPropertyName("priors")] public string[] Priors { get; set; } = ["low", "medium", "high"];

    /// <summary>Fine-tuning learning rates: η_L, η_M, η_S.</summary>
    [JsonPropertyName("learning_rates")] public double[] LearningRates { get; set; } = [1e-4, 1e-5, 1e-6];

    /// <summary>C_Tr values of the fine-tunes.</summary>
    [JsonPropertyName("ctrs")] public double[] CorrelatedShares { get; set; } = [0, 0.5, 0.8, 1];

    /// <summary>Largest K of the pruning curves.</summary>
    [JsonPropertyName("prune_k")] public int PruneK { get; set; } = 20;

    /// <summary>Samples per held-out set when scoring pruning curves (each K is one evaluation).</summary>
    [JsonPropertyName("prune_eval_size")] public int PruneEvalSize { get; set; } = 1024;

    /// <summary>Probe training iterations (spec: 4K).</summary>
    [JsonPropertyName("probe_iterations")] public int ProbeIterations { get; set; } = 4000;

    /// <summary>Learning rate of reFT and its baselines (spec: η_M or η_S).</summary>
    [JsonPropertyName("reft_lr")] public double ReftLearningRate { get; set; } = 1e-5;

    /// <summary>Steps of reFT and of each baseline.</summary>
    [JsonPropertyName("reft_steps")] public int ReftSteps { get; set; } = 10000;

    /// <summary>Evaluation interval of the revival curves.</summary>
    [JsonPropertyName("reft_eval_every")] public int ReftEvalEvery { get; set; } = 100;

    /// <summary>Steps of Scr. at the pre-training learning rate (context for claim 3: a learning rate where learning from scratch succeeds).</summary>
    [JsonPropertyName("scratch_steps")] public int ScratchSteps { get; set; } = 10000;

    /// <summary>The learning rate of the fine-tunes (every prior, every C_Tr) that reFT starts from.</summary>
    [JsonPropertyName("reft_from_lr")] public double ReftFromLearningRate { get; set; } = 1e-4;

    /// <summary>Why this grid is what it is (for the report).</summary>
    [JsonPropertyName("subset_reason")] public string SubsetReason { get; set; } = "";

    /// <summary>Throws naming the first invalid field.</summary>
    public void Validate()
    {
        if (Priors.Length == 0) throw new InvalidConfigException("grid.priors must name at least one prior");
        // RespectNullableAnnotations refuses "priors": null but not a null element of the list.
        foreach (string p in Priors)
        {
            try
            {
                _ = Tasks.OperandPrior.Parse(p ?? throw new InvalidConfigException("grid.priors holds null; each prior is a name or \"pa,pb,pc\""));
            }
            catch (InvalidConfigException e) when (p is not null)
            {
                throw new InvalidConfigException($"grid.priors: {e.Message}");
            }
        }
        if (LearningRates.Length == 0 || LearningRates.Any(l => !(l > 0))) throw new InvalidConfigException("grid.learning_rates must hold positive numbers");
        if (CorrelatedShares.Length == 0 || CorrelatedShares.Any(c => c is < 0 or > 1)) throw new InvalidConfigException("grid.ctrs must hold numbers in [0, 1]");
        if (PruneK < 1) throw new InvalidConfigException($"grid.prune_k must be positive, got {PruneK}");
        if (PruneEvalSize < 1) throw new InvalidConfigException($"grid.prune_eval_size must be positive, got {PruneEvalSize}");
        if (ProbeIterations < 1) throw new InvalidConfigException($"grid.probe_iterations must be positive, got {ProbeIterations}");
        if (!(ReftLearningRate > 0)) throw new InvalidConfigException($"grid.reft_lr must be positive, got {ReftLearningRate}");
        if (ReftSteps < 1 || ReftEvalEvery < 1) throw new InvalidConfigException("grid.reft_steps and grid.reft_eval_every must be positive");
        if (ScratchSteps < 1) throw new InvalidConfigException($"grid.scratch_steps must be positive, got {ScratchSteps}");
        if (!LearningRates.Contains(ReftFromLearningRate)) throw new InvalidConfigException($"grid.reft_from_lr {ReftFromLearningRate} is not one of grid.learning_rates");
        if (!CorrelatedShares.Contains(1.0)) throw new InvalidConfigException("grid.ctrs must include 1 (the wrapper case the analysis runs on)");
    }
}
