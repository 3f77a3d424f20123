using NativeCore.Experiments;
using NativeCore.Tasks;

namespace NativeCore.Training;

/// <summary>Everything one training stage needs: what to train on, where to start, where to write.</summary>
internal sealed record TrainingJob
{
    /// <summary>The resolved configuration (written to config.json and every sidecar).</summary>
    public required RunConfig Config { get; init; }

    /// <summary>pretrain, finetune, reft or scratch.</summary>
    public required string Stage { get; init; }

    /// <summary>The optimisation settings of this stage.</summary>
    public required StageConfig Settings { get; init; }

    /// <summary>The training batches.</summary>
    public required IBatchSource Data { get; init; }

    /// <summary>Seed of <see cref="Data"/>, recorded in the lineage.</summary>
    public required ulong DataSeed { get; init; }

    /// <summary>The run folder.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Held-out sets scored every eval_every steps.</summary>
    public required IReadOnlyList<EvalSet> EvalSets { get; init; }

    /// <summary>Words for the lineage: the task and operand, or "pretraining mix".</summary>
    public required string TaskDescription { get; init; }

    /// <summary>A checkpoint to start from (fine-tuning); null trains from the config's seed.</summary>
    public string? ParentCheckpoint { get; init; }

    /// <summary>Continue from the run folder's latest checkpoint.</summary>
    public bool Resume { get; init; }
}

/// <summary>One step's numbers, as written to metrics.jsonl.</summary>
public sealed record StepRecord(long Step, long TotalSteps, double Loss, double LearningRate, double GradNorm, double TokensPerSecond);

/// <summary>Hears what the trainer does; the CLI draws its progress display from this.</summary>
public interface ITrainingObserver
{
    /// <summary>Training starts (or resumes) at <paramref name="firstStep"/> of <paramref name="totalSteps"/>.</summary>
    void Started(string stage, long firstStep, long totalSteps);

    /// <summary>A step finished.</summary>
    void Stepped(StepRecord record);

    /// <summary>An evaluation finished.</summary>
    void Evaluated(long step, IReadOnlyList<SetAccuracy> results);

    /// <summary>A checkpoint was written.</summary>
    void Checkpointed(long step, string directory);
}

/// <summary>The outcome of a stage.</summary>
/// <param name="CheckpointDirectory">The final checkpoint.</param>
/// <param name="FinalEvaluation">The last evaluation.</param>
/// <param name="Seconds">Wall time of this invocation.</param>
/// <param name="Steps">Steps completed in total.</param>
internal sealed record TrainingResult(string CheckpointDirectory, IReadOnlyList<SetAccuracy> FinalEvaluation, double Seconds, long Steps);
