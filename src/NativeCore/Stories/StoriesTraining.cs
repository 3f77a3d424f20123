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
public static class StoriesTraining
{
    /// <summary>Trains from <paramref name="parentDirectory"/> (null: from the seed) and saves to <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="NumericalDivergenceException">The loss became NaN or infinite; nothing is saved.</exception>
    /// <param name="parentDirectory">The model to start from; null trains from the seed.</param>
    /// <param name="config">The stage's settings.</param>
    /// <param name="backend">Where it runs.</param>
    /// <param name="outputDirectory">Where model.safetensors, stories.json and metrics.jsonl go.</param>
    /// <param name="stage">pretrain, delete or reft.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="afterStep">Called with (steps done, model) before the first step and after every step, for measurements along the way.</param>
    public static StoriesModel Train(string? parentDirectory, StoriesConfig config, IBackend backend, string outputDirectory, string stage, Action<string>? log = null, Action<long, Gpt>? afterStep = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(backend);
        if (File.Exists(Path.Combine(outputDirectory, StoriesModel.SidecarName))) throw new InvalidConfigException($"{outputDirectory} already holds a model; choose another --out");
        OutputFolder.Claim(outputDirectory, OutputFolder.Kinds.StoriesModel);
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
            parent = new ParentRef(Path.GetFullPath(parentDirectory), Checkpoint.Sha256(Path.Combine(parentDirectory, "model.safetensors")), info.Stage);
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
            var schedule = new LearningRateSchedule(resolved.LearningRate, resolved.Steps, resolved.Warmup, resolved.MinLrRatio);
            var batches = new StoryBatches(corpus, protocol, CounterHash.Mix(resolved.Seed, (ulong)stage.Length));
            // Held-out windows: the same protocol, a separate stream of the corpus.
            var heldOut = new StoryBatches(corpus, protocol, 0xE7A1);
            int t = resolved.Model.BlockSize;
            var evalLoss = new List<double[]>();
            using var metrics = new MetricsLog(Path.Combine(outputDirectory, "metrics.jsonl"), 0);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            afterStep?.Invoke(0, gpt);
            for (long step = 0; step < resolved.Steps; step++)
            {
                var (tokens, targets) = batches.Batch(step, resolved.BatchSize, t);
                float loss = gpt.Forward(tokens, targets, resolved.BatchSize, t, training: true, dropoutSeed: (ulong)step);
                if (!float.IsFinite(loss)) throw new NumericalDivergenceException($"loss is {loss} at step {step + 1} ({stage}); stopped, nothing saved in {outputDirectory}");
                gpt.Backward();
                double lr = schedule.At(step);
                double gradNorm = optimizer.Step((float)lr);
                metrics.Write(new JsonObject { ["kind"] = "step", ["stage"] = stage, ["step"] = step + 1, ["loss"] = loss, ["lr"] = lr, ["grad_norm"] = gradNorm });
                if ((step + 1) % resolved.EvalEvery == 0 || step + 1 == resolved.Steps)
                {
                    double held = HeldOutLoss(gpt, heldOut, t);
                    evalLoss.Add([step + 1, held]);
                    metrics.Write(new JsonObject { ["kind"] = "eval", ["stage"] = stage, ["step"] = step + 1, ["loss"] = held });
                    log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"step {step + 1}/{resolved.Steps}  train loss {loss:F3}  held-out loss {held:F3}  {clock.Elapsed.TotalSeconds:F0} s"));
                }
                afterStep?.Invoke(step + 1, gpt);
            }
            var result = new StoriesModel { Config = resolved, Stage = stage, Step = resolved.Steps, EvalLoss = evalLoss, Parent = parent };
            result.Save(outputDirectory, gpt);
            return result;
        }
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
