using NativeCore.Tasks;
using NativeCore.Training;

namespace NativeCore.Experiments;

/// <summary>Builds the training jobs of the paper's protocol from a resolved config.</summary>
internal static class Stages
{
    /// <summary>The held-out sets every stage reports: the fine-tuning task at C_Te 0 and 1, asked with a and with b.</summary>
    public static IReadOnlyList<EvalSet> EvalSets(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Evaluator.CorrelationSets(config.Data, config.Finetune.TaskKind, config.Eval.Size, config.Eval.Seed);
    }

    /// <summary>Pre-training on the task mix with operands from the prior.</summary>
    public static TrainingJob Pretrain(RunConfig config, string outputDirectory, bool resume)
    {
        ArgumentNullException.ThrowIfNull(config);
        ulong dataSeed = Seeds.Data(config.Seed, "pretrain");
        return new TrainingJob
        {
            Config = config,
            Stage = "pretrain",
            Settings = config.Pretrain,
            Data = new PretrainingData(config.Data, dataSeed) { Mask = config.Pretrain.Mask },
            DataSeed = dataSeed,
            OutputDirectory = outputDirectory,
            EvalSets = EvalSets(config),
            TaskDescription = $"pretraining mix [{string.Join(",", config.Data.Tasks)}], prior {config.Data.Prior}",
            Resume = resume,
        };
    }

    /// <summary>
    /// Fine-tuning from <paramref name="parentCheckpoint"/> on the fine-tuning task asked with <paramref name="operand"/>
    /// (b for the paper's fine-tune, a for reverse fine-tuning), with C_Tr from the config.
    /// </summary>
    /// <param name="config">The resolved config; its finetune section is the recipe.</param>
    /// <param name="parentCheckpoint">The checkpoint to start from; null trains from the config's seed.</param>
    /// <param name="outputDirectory">The run folder.</param>
    /// <param name="resume">Continue from the folder's latest checkpoint.</param>
    /// <param name="stage">The stage name recorded in the lineage.</param>
    /// <param name="operand">The operand asked (1 = b, 0 = a).</param>
    /// <param name="evalSetNames">When given, only these held-out sets are scored during training.</param>
    public static TrainingJob Finetune(RunConfig config, string? parentCheckpoint, string outputDirectory, bool resume, string stage = "finetune", int operand = 1, IReadOnlyCollection<string>? evalSetNames = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ft = config.Finetune;
        ulong dataSeed = Seeds.Data(config.Seed, stage);
        return new TrainingJob
        {
            Config = config,
            Stage = stage,
            Settings = ft,
            Data = new FinetuningData(config.Data, ft.TaskKind, ft.CorrelatedShare, dataSeed, operand) { Mask = ft.Mask },
            DataSeed = dataSeed,
            OutputDirectory = outputDirectory,
            EvalSets = evalSetNames is null ? EvalSets(config) : EvalSets(config).Where(s => evalSetNames.Contains(s.Name)).ToList(),
            TaskDescription = $"{ft.TaskKind} asked with {(char)('a' + operand)}, C_Tr {ft.CorrelatedShare}",
            ParentCheckpoint = parentCheckpoint,
            Resume = resume,
        };
    }
}
