using System.Diagnostics;
using System.Text.Json.Nodes;
using NativeCore.Model;

namespace NativeCore.Training;

/// <summary>Inputs and next-token targets [B, T] of one step.</summary>
public sealed record TrainingBatch(int[] Tokens, int[] Targets, int BatchSize, int Time);

/// <summary>
/// What a setting's stage gives the one training loop: its batches, when and how it evaluates, and how it saves a
/// checkpoint. The grammar, Tracr and stories settings each implement it; the loop itself knows none of them.
/// </summary>
public interface ITrainingStage
{
    /// <summary>The stage's name in metrics and lineage (pretrain, finetune, reft, delete…).</summary>
    string Name { get; }

    /// <summary>Steps the stage runs in all.</summary>
    long TotalSteps { get; }

    /// <summary>Whether <see cref="BatchAt"/> may run on another thread while <see cref="Evaluate"/> runs.</summary>
    bool PrefetchBatches { get; }

    /// <summary>The batch of 0-based <paramref name="step"/>: a pure function of the stage's data seed and the step.</summary>
    TrainingBatch BatchAt(long step);

    /// <summary>Whether to evaluate once <paramref name="step"/> steps are done.</summary>
    bool EvaluatesAt(long step);

    /// <summary>Evaluates the model after <paramref name="step"/> steps (whose training loss was <paramref name="lastLoss"/>) and writes what it found to <paramref name="metrics"/>.</summary>
    void Evaluate(long step, double lastLoss, Gpt model, MetricsLog metrics);

    /// <summary>Whether to write a checkpoint once <paramref name="step"/> steps are done (the loop adds the last step).</summary>
    bool CheckpointsAt(long step);

    /// <summary>Writes the checkpoint after <paramref name="step"/> steps and returns its folder.</summary>
    string SaveCheckpoint(long step, double lastLoss);
}

/// <summary>The outcome of <see cref="TrainingLoop.Run"/>.</summary>
/// <param name="Steps">Steps completed in total.</param>
/// <param name="LastCheckpoint">The last checkpoint written (the resumed one when none was).</param>
public sealed record LoopResult(long Steps, string LastCheckpoint);

/// <summary>
/// The one training loop of every setting: batch, forward and backward (<see cref="Gpt.TrainStep"/>, dropout seeded by
/// <see cref="Seeds.Dropout"/>), NaN guard, optimiser step at the scheduled rate (clipped by <see cref="GradientClip"/>), a metrics record, then
/// evaluation and checkpoints at the stage's cadence. Everything it draws is a pure function of (seed, step), so a run
/// resumed from a checkpoint ends bit-identical to one never interrupted.
/// </summary>
public static class TrainingLoop
{
    /// <summary>Runs <paramref name="stage"/> from <paramref name="firstStep"/> (0, or the resumed checkpoint's step) to its end.</summary>
    /// <param name="model">The model, already initialised or loaded.</param>
    /// <param name="optimizer">Its optimiser, with state loaded when resuming.</param>
    /// <param name="schedule">The learning rate by 0-based step.</param>
    /// <param name="stage">The setting's stage.</param>
    /// <param name="seed">The run seed (dropout).</param>
    /// <param name="firstStep">Steps already done.</param>
    /// <param name="metrics">metrics.jsonl, already cut back to <paramref name="firstStep"/>.</param>
    /// <param name="observer">Hears every step and checkpoint.</param>
    /// <param name="resumedFrom">The checkpoint resumed from, named if the run diverges before writing another.</param>
    /// <exception cref="NumericalDivergenceException">The loss, the gradient or the weights became NaN or infinite; earlier checkpoints are kept.</exception>
    public static LoopResult Run(Gpt model, IOptimizer optimizer, LearningRateSchedule schedule, ITrainingStage stage, ulong seed, long firstStep,
        MetricsLog metrics, ITrainingObserver? observer = null, string? resumedFrom = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(metrics);
        long step = firstStep, total = stage.TotalSteps;
        string lastCheckpoint = resumedFrom ?? "";
        string LastGood() => lastCheckpoint.Length > 0 ? lastCheckpoint : "none";
        observer?.Started(stage.Name, step, total);
        using var prefetch = stage.PrefetchBatches ? new StepPrefetcher<TrainingBatch>(stage.BatchAt, step) : null;
        var stepClock = new Stopwatch();
        double lastLoss = double.NaN;
        while (step < total)
        {
            stepClock.Restart();
            var batch = prefetch?.Take() ?? stage.BatchAt(step);
            double lr = schedule.At(step);
            float loss = model.TrainStep(batch.Tokens, batch.Targets, batch.BatchSize, batch.Time, Seeds.Dropout(seed, step));
            if (!float.IsFinite(loss))
                throw new NumericalDivergenceException($"loss is {loss} at step {step + 1} ({stage.Name}, lr {lr:G3}); stopped before updating the weights. "
                    + (lastCheckpoint.Length > 0 ? $"The last good checkpoint is {lastCheckpoint}." : "No checkpoint was written yet."));
            double gradNorm;
            try
            {
                gradNorm = optimizer.Step((float)lr);
            }
            catch (NumericalDivergenceException e)
            {
                throw new NumericalDivergenceException($"{e.Message} ({stage.Name}); last good checkpoint: {LastGood()}");
            }
            model.Backend.Synchronize();
            step++;
            lastLoss = loss;
            double tokensPerSecond = batch.BatchSize * batch.Time / stepClock.Elapsed.TotalSeconds;
            metrics.Write(new JsonObject
            {
                ["kind"] = "step", ["stage"] = stage.Name, ["step"] = step, ["loss"] = loss, ["lr"] = lr, ["grad_norm"] = gradNorm, ["tokens_per_s"] = Math.Round(tokensPerSecond, 1),
            });
            observer?.Stepped(new StepRecord(step, total, loss, lr, gradNorm, tokensPerSecond));

            if (stage.EvaluatesAt(step)) stage.Evaluate(step, lastLoss, model, metrics);
            if (stage.CheckpointsAt(step) || step == total)
            {
                double sumSquares = model.Backend.SumOfSquares(new Tensors.Tensor(model.Parameters, 0, model.Parameters.Length));
                if (!double.IsFinite(sumSquares))
                    throw new NumericalDivergenceException($"weights are not finite at step {step}; no checkpoint written. Last good checkpoint: {LastGood()}");
                lastCheckpoint = stage.SaveCheckpoint(step, lastLoss);
                observer?.Checkpointed(step, lastCheckpoint);
            }
        }
        if (lastCheckpoint.Length == 0) throw new InvalidOperationException("the stage ended without a checkpoint");
        return new LoopResult(step, lastCheckpoint);
    }
}
