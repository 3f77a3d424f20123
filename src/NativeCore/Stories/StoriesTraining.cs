using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Kernels;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Stories;

/// <summary>
/// Pre-training, deletion fine-tuning and reverse fine-tuning on a story corpus (spec tinystories.md §2): AdamW with
/// warm-up and cosine decay (constant when min_lr_ratio is 1), next-token loss on windows cut anywhere in the stream.
/// </summary>
internal static class StoriesTraining
{
    /// <summary>
    /// Trains from <paramref name="parentDirectory"/> (null: from the seed) on the one <see cref="TrainingLoop"/> and
    /// saves to <paramref name="outputDirectory"/>. A checkpoint (weights, AdamW moments, model.json) is written at
    /// every held-out evaluation under <c>checkpoints/</c>; <paramref name="resume"/> continues from the latest one,
    /// bit-identical to a run never interrupted.
    /// </summary>
    /// <exception cref="NumericalDivergenceException">The loss became NaN or infinite; earlier checkpoints are kept.</exception>
    /// <exception cref="InvalidConfigException">The folder holds a finished model, or a run that --resume was not given for, that started elsewhere or by other settings.</exception>
    /// <param name="parentDirectory">The model to start from; null trains from the seed.</param>
    /// <param name="config">The stage's settings.</param>
    /// <param name="backend">Where it runs.</param>
    /// <param name="outputDirectory">Where model.safetensors, model.json and metrics.jsonl go.</param>
    /// <param name="stage">pretrain, delete or reft.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="afterStep">Called with (steps done, model) before the first step and after every step, for measurements along the way.</param>
    /// <param name="resume">Continue the run in <paramref name="outputDirectory"/> from its latest checkpoint.</param>
    public static StoriesModel Train(string? parentDirectory, StoriesConfig config, IBackend backend, string outputDirectory, string stage, Action<string>? log = null,
        Action<long, Gpt>? afterStep = null, bool resume = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(backend);
        string? resumeFrom = ResumeCheck.Begin(outputDirectory, OutputFolder.Kinds.StoriesModel, resume, finalModelAtRoot: true);
        config.Validate();
        var corpus = config.OpenCorpus();
        var resolved = config with { Model = config.Model with { VocabSize = corpus.VocabularySize } };
        resolved.Model.Validate();
        MemoryEstimate.Check(resolved.Model, resolved.BatchSize, resolved.Model.BlockSize, $"stories config: batch_size={resolved.BatchSize} with {MemoryEstimate.Describe(resolved.Model)}");
        var protocol = StoryDeletion.Parse(resolved.Protocol);

        ParentRef? parent = null;
        Gpt gpt;
        if (parentDirectory is not null)
        {
            var (info, loaded) = StoriesModel.Load(parentDirectory, backend);
            if (info.Config.Model with { VocabSize = 0 } != resolved.Model with { VocabSize = 0 } || info.Config.Corpus != resolved.Corpus)
            {
                loaded.Dispose();
                throw new InvalidCheckpointException($"{parentDirectory}: its model or corpus does not match this run's");
            }
            gpt = loaded;
            parent = ParentRef.Of(parentDirectory, info.Stage);
        }
        else
        {
            gpt = new Gpt(backend, resolved.Model);
            gpt.InitializeWeights(resolved.Seed);
        }
        using (gpt)
        {
            Directory.CreateDirectory(outputDirectory);
            using var optimizer = new AdamW(gpt, new AdamWConfig { WeightDecay = (float)resolved.WeightDecay, GradClip = (float)resolved.GradClip, LearningRate = (float)resolved.LearningRate });
            long step = 0;
            var evalLoss = new List<double[]>();
            if (resumeFrom is not null)
            {
                var saved = StoriesModel.Read(resumeFrom);
                ResumeCheck.SameParent(outputDirectory, saved.Parent, parentDirectory, parentDirectory is null ? null : Path.Combine(parentDirectory, "model.safetensors"));
                if (saved.Config != resolved || saved.Stage != stage)
                    throw new InvalidConfigException($"--resume: the settings differ from the ones recorded in {Path.Combine(resumeFrom, StoriesModel.SidecarName)}; resume with the same --set overrides");
                Checkpoint.LoadModel(gpt, resumeFrom);
                Checkpoint.LoadOptimizer(gpt, optimizer, resumeFrom);
                step = saved.Step;
                evalLoss.AddRange(saved.EvalLoss);
            }
            var schedule = new LearningRateSchedule(resolved.LearningRate, resolved.Steps, resolved.Warmup, resolved.MinLrRatio);
            var batches = new StoryBatches(corpus, protocol, Seeds.Data(resolved.Seed, stage));
            // Held-out windows: the same protocol, on examples no training step reads (see OpenHeldOut).
            var (heldOutCorpus, heldOutFirst, distinct) = resolved.OpenHeldOut(corpus);
            if (!distinct) log?.Invoke($"note: the held-out loss is read on the training shard {resolved.Corpus}; set held_out to a separate shard for a true one");
            var heldOut = new StoryBatches(heldOutCorpus, protocol, 0xE7A1, heldOutFirst);
            using var metrics = new MetricsLog(Path.Combine(outputDirectory, "metrics.jsonl"), step);
            var run = new StoriesStage(resolved, stage, batches, heldOut, gpt, optimizer, parent, outputDirectory, evalLoss, log, afterStep);
            if (step == 0) afterStep?.Invoke(0, gpt);
            TrainingLoop.Run(gpt, optimizer, schedule, run, resolved.Seed, step, metrics, resumedFrom: resumeFrom);
            var result = run.At(resolved.Steps);
            result.Save(outputDirectory, gpt);
            return result;
        }
    }

    /// <summary>The stories setting's stage: windows of the corpus, held-out loss, stories.json checkpoints.</summary>
    private sealed class StoriesStage(StoriesConfig config, string stage, StoryBatches batches, StoryBatches heldOut, Gpt gpt, AdamW optimizer, ParentRef? parent,
        string outputDirectory, List<double[]> evalLoss, Action<string>? log, Action<long, Gpt>? afterStep) : ITrainingStage
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

        public string Name => stage;

        public long TotalSteps => config.Steps;

        // The corpus's decoders and the caller's measurements are not made for two threads.
        public bool PrefetchBatches => false;

        public TrainingBatch BatchAt(long step)
        {
            var (tokens, targets) = batches.Batch(step, config.BatchSize, config.Model.BlockSize);
            return new TrainingBatch(tokens, targets, config.BatchSize, config.Model.BlockSize);
        }

        private bool HeldOutAt(long step) => step % config.EvalEvery == 0 || step == config.Steps;

        // The caller's measurements (afterStep) run after every step, so every step is a measuring point.
        public bool EvaluatesAt(long step) => HeldOutAt(step) || afterStep is not null;

        public void Evaluate(long step, double lastLoss, Gpt model, MetricsLog metrics)
        {
            if (HeldOutAt(step))
            {
                double held = HeldOutLoss(model, heldOut, config.Model.BlockSize);
                evalLoss.Add([step, held]);
                metrics.Write(new JsonObject { ["kind"] = "eval", ["stage"] = stage, ["step"] = step, ["loss"] = held });
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"step {step}/{config.Steps}  train loss {lastLoss:F3}  held-out loss {held:F3}  {_clock.Elapsed.TotalSeconds:F0} s"));
            }
            afterStep?.Invoke(step, model);
        }

        public bool CheckpointsAt(long step) => HeldOutAt(step);

        public StoriesModel At(long step) => new() { Config = config, Stage = stage, Step = step, EvalLoss = [.. evalLoss], Parent = parent };

        public string SaveCheckpoint(long step, double lastLoss) =>
            Checkpoint.Save(outputDirectory, step, gpt, optimizer, keepLast: 2, (dir, _) => At(step).SaveSidecar(dir));
    }

    /// <summary>Mean next-token loss over four fixed held-out batches of 8 windows.</summary>
    public static double HeldOutLoss(Gpt model, StoryBatches heldOut, int time)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(heldOut);
        double sum = 0;
        for (int i = 0; i < 4; i++)
        {
            var (tokens, targets) = heldOut.Batch(i, 8, time);
            sum += model.Forward(tokens, targets, 8, time);
        }
        return sum / 4;
    }
}
