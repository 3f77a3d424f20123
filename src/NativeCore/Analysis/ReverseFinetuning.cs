using System.Globalization;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Training;

namespace NativeCore.Analysis;

/// <summary>Accuracy of the capability against steps for one run, and the steps it needed to reach 90% and 99%.</summary>
/// <param name="Name">reFT, Scr.+FT or Scr.</param>
/// <param name="Steps">Evaluation steps (0 = before training).</param>
/// <param name="Accuracy">Acc O_PT (C_Te = 0) at each step.</param>
/// <param name="StepsTo90">First step at or above 90%, or null.</param>
/// <param name="StepsTo99">First step at or above 99%, or null.</param>
/// <param name="SetSize">Samples behind each accuracy, for its interval.</param>
internal sealed record RevivalCurve(string Name, IReadOnlyList<long> Steps, IReadOnlyList<double> Accuracy, long? StepsTo90, long? StepsTo99, int SetSize);

/// <summary>
/// Reverse fine-tuning (spec §8): fine-tune the fine-tuned model again on the pre-training capability (count a) with
/// the fine-tuning recipe, and compare with two baselines at the same learning rate, schedule and batch:
/// Scr.+FT (pre-trained with a and b swapped in the prior, then fine-tuned to count a) and Scr. (from scratch).
/// </summary>
internal static class ReverseFinetuning
{
    /// <summary>The grammar setting's reFT learning rate when none is given (the paper's η_M).</summary>
    public const double DefaultLearningRate = 1e-5;

    /// <summary>The grammar setting's reFT steps when none are given.</summary>
    public const int DefaultSteps = 1000;

    /// <summary>The config of a revival run: plain windows (C_Tr = 0), the given lr and steps, evaluation every <paramref name="evalEvery"/>.</summary>
    public static RunConfig RevivalConfig(RunConfig config, double learningRate, int steps, int evalEvery)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (config with
        {
            Finetune = config.Finetune with
            {
                LearningRate = learningRate,
                Steps = steps,
                EvalEvery = evalEvery,
                EvalAt = null,
                CheckpointEvery = steps,
                CorrelatedShare = 0,
                KeepLast = 1,
            },
        }).Resolve();
    }

    /// <summary>
    /// Trains the capability (the task asked with <paramref name="operand"/>, count a by default) from
    /// <paramref name="parent"/> (null: from scratch) and returns its curve, read back from metrics.jsonl, with the
    /// parent's accuracy as step 0.
    /// </summary>
    public static RevivalCurve Run(string name, RunConfig config, string? parent, string outputDirectory, IBackend backend, ITrainingObserver? observer = null, int operand = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        // The revival curve needs only the accuracy on clean data asked with the operand, so only that set is scored.
        string setName = Evaluator.SetName(correlated: false, operand);
        var job = Stages.Finetune(config, parent, outputDirectory, resume: true, stage: "reft", operand, evalSetNames: [setName]);
        double start = StartAccuracy(config, parent, backend, job.EvalSets.First(s => s.Name == setName));
        Trainer.Run(job, backend, observer);
        var points = MetricsLog.Read(Path.Combine(outputDirectory, "metrics.jsonl"))
            .Where(r => (string?)r["kind"] == "eval")
            .Select(r => ((long)r["step"]!, (double)r["sets"]![setName]!["accuracy"]!))
            .Prepend((0L, start)).ToList();
        return Curve(name, points.Select(p => p.Item1).ToList(), points.Select(p => p.Item2).ToList(), job.EvalSets.First(s => s.Name == setName).Samples.Length);
    }

    /// <summary>Builds a curve and its first crossings of 90% and 99%.</summary>
    public static RevivalCurve Curve(string name, IReadOnlyList<long> steps, IReadOnlyList<double> accuracy, int setSize)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(accuracy);
        long? First(double threshold) => Enumerable.Range(0, steps.Count).Where(i => accuracy[i] >= threshold).Select(i => (long?)steps[i]).FirstOrDefault();
        return new RevivalCurve(name, steps, accuracy, First(0.90), First(0.99), setSize);
    }

    private static double StartAccuracy(RunConfig config, string? parent, IBackend backend, EvalSet set)
    {
        using var model = new Model.Gpt(backend, config.Model);
        if (parent is null) model.InitializeWeights(config.Seed);
        else Checkpoint.LoadModel(model, Checkpoint.Resolve(parent));
        return Evaluator.Accuracy(model, config.Data, set.Samples, config.Eval.BatchSize);
    }
}
