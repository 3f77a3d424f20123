using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Kernels;
using NativeCore.Model;
using NativeCore.Tasks;

namespace NativeCore.Training;

/// <summary>
/// Runs one training stage: AdamW with warm-up and cosine decay and global-norm clipping, held-out evaluation,
/// metrics, atomic checkpoints and exact resume. Batches are pure functions of (data seed, step) and dropout seeds of
/// (seed, step), so a resumed run ends bit-identical to an uninterrupted one.
/// </summary>
public static class Trainer
{
    /// <summary>Runs <paramref name="job"/> on <paramref name="backend"/>.</summary>
    /// <exception cref="NumericalDivergenceException">The loss or gradient became NaN or infinite; earlier checkpoints are kept.</exception>
    public static TrainingResult Run(TrainingJob job, IBackend backend, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var clock = Stopwatch.StartNew();
        string started = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var settings = job.Settings;
        string outDir = job.OutputDirectory;
        string configPath = Path.Combine(outDir, "config.json");
        string configJson = ConfigLoader.ToJson(job.Config);

        OutputFolder.Claim(outDir, OutputFolder.Kinds.GrammarModel);
        string? resumeFrom = null;
        if (Checkpoint.Exists(outDir))
        {
            if (!job.Resume) throw new InvalidConfigException($"{outDir} already holds a run; pass --resume to continue it, or choose another --out");
            resumeFrom = Checkpoint.Resolve(outDir);
            if (File.Exists(configPath) && File.ReadAllText(configPath) != configJson)
                throw new InvalidConfigException($"--resume: the resolved config differs from {configPath}; resume with the same preset and --set overrides");
        }
        Directory.CreateDirectory(outDir);
        AtomicFile.WriteAllText(configPath, configJson);

        using var model = new Gpt(backend, job.Config.Model);
        using var optimizer = new AdamW(model, new AdamWConfig
        {
            LearningRate = (float)settings.LearningRate,
            Beta1 = (float)settings.Beta1,
            Beta2 = (float)settings.Beta2,
            Eps = (float)settings.Eps,
            WeightDecay = (float)settings.WeightDecay,
            GradClip = (float)settings.GradClip,
        });
        ParentRef? parent = null;
        long step = 0;
        if (resumeFrom is not null)
        {
            var sidecar = Checkpoint.ReadSidecar(resumeFrom);
            Checkpoint.LoadModel(model, resumeFrom);
            Checkpoint.LoadOptimizer(model, optimizer, resumeFrom);
            step = sidecar.Step;
            parent = sidecar.Lineage.Parent;
            started = sidecar.Lineage.StartedUtc;
            // The config file matching is not enough: the same recipe from another parent (reFT of model B into a
            // folder holding model A's reFT) must not continue A's run.
            string? asked = job.ParentCheckpoint is { } from ? Checkpoint.Sha256(Path.Combine(Checkpoint.Resolve(from), "model.safetensors")) : null;
            if (!string.Equals(asked, parent?.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidConfigException($"--resume: {outDir} continues a run from {(parent is null ? "scratch" : $"the weights of {parent.Path} (sha256 {parent.Sha256[..12]})")}, not from {(job.ParentCheckpoint is null ? "scratch" : $"{job.ParentCheckpoint} (sha256 {asked![..12]})")}; choose another --out");
        }
        else if (job.ParentCheckpoint is { } from)
        {
            string dir = Checkpoint.Resolve(from);
            var parentSidecar = Checkpoint.ReadSidecar(dir);
            if (parentSidecar.Config.Model with { Dropout = 0 } != job.Config.Model with { Dropout = 0 })
                throw new InvalidCheckpointException($"{dir}: the checkpoint's model config does not match this run's model config");
            Checkpoint.LoadModel(model, dir);
            parent = new ParentRef(Path.GetFullPath(dir), Checkpoint.Sha256(Path.Combine(dir, "model.safetensors")), parentSidecar.Stage);
        }
        else
        {
            model.InitializeWeights(job.Config.Seed);
        }

        var schedule = new LearningRateSchedule(settings.LearningRate, settings.Steps, settings.Warmup, settings.MinLrRatio);
        using var metrics = new MetricsLog(Path.Combine(outDir, "metrics.jsonl"), step);
        observer?.Started(job.Stage, step, settings.Steps);
        IReadOnlyList<SetAccuracy> lastEval = [];
        double lastLoss = double.NaN;
        string lastCheckpoint = resumeFrom ?? "";
        var data = job.Data;
        using var prefetch = new BatchPrefetcher(data, settings.BatchSize, step);
        var stepClock = new Stopwatch();

        while (step < settings.Steps)
        {
            stepClock.Restart();
            var batch = prefetch.Take();
            double lr = schedule.At(step);
            float loss = model.Forward(batch.Tokens, batch.Targets, batch.BatchSize, batch.Time, training: true, dropoutSeed: CounterHash.Mix(job.Config.Seed, (ulong)step));
            if (!float.IsFinite(loss))
                throw new NumericalDivergenceException($"loss is {loss} at step {step + 1} ({job.Stage}, lr {lr:G3}); stopped before updating the weights. "
                    + (lastCheckpoint.Length > 0 ? $"The last good checkpoint is {lastCheckpoint}." : "No checkpoint was written yet."));
            model.Backward();
            double gradNorm;
            try
            {
                gradNorm = optimizer.Step((float)lr);
            }
            catch (NumericalDivergenceException e)
            {
                throw new NumericalDivergenceException($"{e.Message} ({job.Stage}); last good checkpoint: {(lastCheckpoint.Length > 0 ? lastCheckpoint : "none")}");
            }
            backend.Synchronize();
            step++;
            lastLoss = loss;
            double tokensPerSecond = batch.BatchSize * batch.Time / stepClock.Elapsed.TotalSeconds;
            var record = new StepRecord(step, settings.Steps, loss, lr, gradNorm, tokensPerSecond);
            metrics.Write(new JsonObject
            {
                ["kind"] = "step", ["stage"] = job.Stage, ["step"] = step, ["loss"] = loss, ["lr"] = lr, ["grad_norm"] = gradNorm, ["tokens_per_s"] = Math.Round(tokensPerSecond, 1),
            });
            observer?.Stepped(record);

            bool last = step == settings.Steps;
            if (settings.EvaluatesAt(step))
            {
                lastEval = Evaluator.Evaluate(model, data.Config, job.EvalSets, job.Config.Eval.BatchSize);
                metrics.Write(EvalRecord(job.Stage, step, lastEval));
                observer?.Evaluated(step, lastEval);
            }
            if (step % settings.CheckpointEvery == 0 || last)
            {
                double sumSquares = backend.SumOfSquares(new Tensors.Tensor(model.Parameters, 0, model.Parameters.Length));
                if (!double.IsFinite(sumSquares))
                    throw new NumericalDivergenceException($"weights are not finite at step {step}; no checkpoint written. Last good checkpoint: {(lastCheckpoint.Length > 0 ? lastCheckpoint : "none")}");
                var sidecar = new CheckpointSidecar
                {
                    Stage = job.Stage,
                    Step = step,
                    TotalSteps = settings.Steps,
                    Seed = job.Config.Seed,
                    DataSeed = job.DataSeed,
                    Config = job.Config,
                    Metrics = Summary(lastLoss, lastEval),
                    Lineage = new Lineage
                    {
                        Parent = parent,
                        Stage = job.Stage,
                        Data = data.Config,
                        Task = job.TaskDescription,
                        Settings = settings,
                        DataSeed = job.DataSeed,
                        Backend = backend.Name,
                        StartedUtc = started,
                        EndedUtc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                    },
                };
                lastCheckpoint = Checkpoint.Save(outDir, model, optimizer, sidecar, settings.KeepLast);
                observer?.Checkpointed(step, lastCheckpoint);
            }
        }
        if (lastCheckpoint.Length == 0) throw new InvalidOperationException("the stage ended without a checkpoint");
        return new TrainingResult(lastCheckpoint, lastEval, clock.Elapsed.TotalSeconds, step);
    }

    /// <summary>The metrics.jsonl record of one evaluation.</summary>
    public static JsonObject EvalRecord(string stage, long step, IReadOnlyList<SetAccuracy> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sets = new JsonObject();
        foreach (var r in results)
            sets[r.Name] = new JsonObject { ["accuracy"] = r.Accuracy, ["majority_share"] = r.MajorityShare, ["size"] = r.Size };
        return new JsonObject { ["kind"] = "eval", ["stage"] = stage, ["step"] = step, ["sets"] = sets };
    }

    private static JsonObject Summary(double loss, IReadOnlyList<SetAccuracy> eval)
    {
        var o = new JsonObject { ["loss"] = double.IsFinite(loss) ? loss : null };
        foreach (var r in eval) o[r.Name] = r.Accuracy;
        return o;
    }

    /// <summary>The default seed of a stage's data stream, derived from the run seed so stages never share batches.</summary>
    public static ulong DataSeed(ulong seed, string stage) => CounterHash.Mix(seed, (ulong)stage.Aggregate(17, (h, c) => h * 31 + c));
}
