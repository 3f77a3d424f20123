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
/// Runs one grammar training stage on the one <see cref="TrainingLoop"/>: AdamW with warm-up and cosine decay,
/// held-out accuracy, model.json checkpoints and exact resume.
/// </summary>
internal static class Trainer
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

        // A grammar run keeps its final model in its last checkpoint, so nothing finished sits at the folder's root.
        string? resumeFrom = ResumeCheck.Begin(outDir, OutputFolder.Kinds.GrammarModel, job.Resume, finalModelAtRoot: false) is null ? null : Checkpoint.Resolve(outDir);
        if (resumeFrom is not null && File.Exists(configPath) && File.ReadAllText(configPath) != configJson)
            throw new InvalidConfigException($"--resume: the resolved config differs from {configPath}; resume with the same preset and --set overrides");
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
            ResumeCheck.SameParent(outDir, parent, job.ParentCheckpoint,
                job.ParentCheckpoint is { } from ? Path.Combine(Checkpoint.Resolve(from), "model.safetensors") : null);
        }
        else if (job.ParentCheckpoint is { } from)
        {
            string dir = Checkpoint.Resolve(from);
            var parentSidecar = Checkpoint.ReadSidecar(dir);
            if (parentSidecar.Config.Model with { Dropout = 0 } != job.Config.Model with { Dropout = 0 })
                throw new InvalidCheckpointException($"{dir}: the checkpoint's model config does not match this run's model config");
            Checkpoint.LoadModel(model, dir);
            parent = ParentRef.Of(dir, parentSidecar.Stage);
        }
        else
        {
            model.InitializeWeights(job.Config.Seed);
        }

        var schedule = new LearningRateSchedule(settings.LearningRate, settings.Steps, settings.Warmup, settings.MinLrRatio);
        using var metrics = new MetricsLog(Path.Combine(outDir, "metrics.jsonl"), step);
        var stage = new GrammarStage(job, model, optimizer, parent, backend.Name, started, observer);
        var done = TrainingLoop.Run(model, optimizer, schedule, stage, job.Config.Seed, step, metrics, observer, resumeFrom);
        return new TrainingResult(done.LastCheckpoint, stage.LastEvaluation, clock.Elapsed.TotalSeconds, done.Steps);
    }

    /// <summary>The grammar setting's stage: its batch source, held-out accuracy sets and model.json checkpoints.</summary>
    private sealed class GrammarStage(TrainingJob job, Gpt model, AdamW optimizer, ParentRef? parent, string backendName, string started, ITrainingObserver? observer) : ITrainingStage
    {
        public IReadOnlyList<SetAccuracy> LastEvaluation { get; private set; } = [];

        public string Name => job.Stage;

        public long TotalSteps => job.Settings.Steps;

        public bool PrefetchBatches => true;

        public TrainingBatch BatchAt(long step)
        {
            var b = job.Data.Batch(step, job.Settings.BatchSize);
            return new TrainingBatch(b.Tokens, b.Targets, b.BatchSize, b.Time);
        }

        public bool EvaluatesAt(long step) => job.Settings.EvaluatesAt(step);

        public void Evaluate(long step, double lastLoss, Gpt evaluated, MetricsLog metrics)
        {
            LastEvaluation = Evaluator.Evaluate(evaluated, job.Data.Config, job.EvalSets, job.Config.Eval.BatchSize);
            metrics.Write(EvalRecord(job.Stage, step, LastEvaluation));
            observer?.Evaluated(step, LastEvaluation);
        }

        public bool CheckpointsAt(long step) => step % job.Settings.CheckpointEvery == 0;

        public string SaveCheckpoint(long step, double lastLoss)
        {
            var sidecar = new CheckpointSidecar
            {
                Stage = job.Stage,
                Step = step,
                TotalSteps = job.Settings.Steps,
                Seed = job.Config.Seed,
                DataSeed = job.DataSeed,
                Config = job.Config,
                Metrics = Summary(lastLoss, LastEvaluation),
                Lineage = new Lineage
                {
                    Parent = parent,
                    Stage = job.Stage,
                    Data = job.Data.Config,
                    Task = job.TaskDescription,
                    Settings = job.Settings,
                    DataSeed = job.DataSeed,
                    Backend = backendName,
                    StartedUtc = started,
                    EndedUtc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                },
            };
            return Checkpoint.Save(job.OutputDirectory, model, optimizer, sidecar, job.Settings.KeepLast);
        }
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

}
