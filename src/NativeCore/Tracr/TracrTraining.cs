using NativeCore.IO;
using System.Globalization;
using System.Text.Json.Nodes;
using NativeCore.Backends;
using NativeCore.Kernels;
using NativeCore.Model;
using NativeCore.Tensors;
using NativeCore.Training;

namespace NativeCore.Tracr;

/// <summary>A named held-out set of the Tracr setting.</summary>
internal sealed record TracrEvalSet(string Name, TracrSample[] Samples);

/// <summary>What a Tracr training run produced.</summary>
/// <param name="Model">The trained model (weights and sidecar).</param>
/// <param name="History">Every evaluation, by step (step 0 is before training, after the noise).</param>
internal sealed record TracrRunResult(CompiledModel Model, IReadOnlyList<(long Step, IReadOnlyList<SetAccuracy> Accuracies)> History)
{
    /// <summary>The first evaluated step at which <paramref name="set"/> reached <paramref name="threshold"/>, or null.</summary>
    public long? StepsTo(string set, double threshold) =>
        History.Where(h => h.Accuracies.Any(a => a.Name == set && a.Accuracy >= threshold)).Select(h => (long?)h.Step).FirstOrDefault();
}

/// <summary>Fine-tuning, reverse fine-tuning and evaluation of compiled models.</summary>
internal static class TracrTraining
{
    /// <summary>
    /// The four held-out sets: C_Te ∈ {0, 1} × asked for the compiled capability (O_PT) or the fine-tuning target
    /// (O_FT), with the same inputs asked both ways. C_Te = 1 inputs all satisfy the q-shift relation; C_Te = 0 inputs
    /// all break it.
    /// </summary>
    public static IReadOnlyList<TracrEvalSet> HeldOutSets(CompiledModel model, int size, ulong seed, int shift = 1)
    {
        var task = TracrTask.For(model) with { Shift = shift };
        var sets = new List<TracrEvalSet>();
        foreach (bool correlated in new[] { false, true })
        {
            var inputs = (task with { CorrelatedShare = correlated ? 1 : 0, BreakRelation = !correlated }).Samples(model, seed + (correlated ? 1UL : 0UL), size);
            foreach (bool target in new[] { false, true })
            {
                var asked = task with { FineTuneTarget = target };
                var samples = inputs.Select(s => new TracrSample(s.Tokens, model.OutputClass(asked.Answer(s.Tokens)))).ToArray();
                sets.Add(new TracrEvalSet(asked.SetName(correlated), samples));
            }
        }
        return sets;
    }

    /// <summary>Accuracy and majority-class share of each set.</summary>
    public static IReadOnlyList<SetAccuracy> Evaluate(Gpt gpt, CompiledModel model, IEnumerable<TracrEvalSet> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        return sets.Select(s => new SetAccuracy(s.Name, TracrTask.Accuracy(gpt, model, s.Samples), MajorityShare(s.Samples), s.Samples.Length)).ToList();
    }

    /// <summary>
    /// Trains <paramref name="parent"/> (saved in <paramref name="parentDirectory"/>) by <paramref name="recipe"/> on the
    /// one <see cref="TrainingLoop"/> and writes the result, with metrics.jsonl and its lineage, to
    /// <paramref name="outputDirectory"/>. A checkpoint (weights, SGD velocity, model.json) is written at every evaluation
    /// under <c>checkpoints/</c>; <paramref name="resume"/> continues from the latest one, bit-identical to a run never
    /// interrupted.
    /// </summary>
    /// <exception cref="NumericalDivergenceException">The loss became NaN or infinite; earlier checkpoints are kept.</exception>
    /// <exception cref="InvalidConfigException">The folder holds a finished model, or a run that --resume was not given for or that started elsewhere.</exception>
    public static TracrRunResult Train(CompiledModel parent, string parentDirectory, TracrRecipe recipe, IBackend backend, string outputDirectory, string stage,
        Action<string>? log = null, bool resume = false)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(backend);
        string? resumeFrom = ResumeCheck.Begin(outputDirectory, OutputFolder.Kinds.TracrModel, resume, finalModelAtRoot: true);

        var parentRef = ParentRef.Of(parentDirectory, parent.Lineage?.Stage ?? "compile");
        var settings = recipe.Describe();
        using var gpt = parent.Build(backend);
        var trained = Trained(gpt, recipe);
        using var optimizer = new SgdMomentum(gpt, recipe.Momentum, recipe.GradClip, trained);
        long step = 0;
        if (resumeFrom is not null)
        {
            var saved = CompiledModel.Load(resumeFrom);
            ResumeCheck.SameParent(outputDirectory, saved.Lineage?.Parent, parentDirectory, Path.Combine(parentDirectory, "model.safetensors"));
            if (saved.Lineage is null || !saved.Lineage.Settings.OrderBy(kv => kv.Key).SequenceEqual(settings.OrderBy(kv => kv.Key)))
                throw new InvalidConfigException($"--resume: the recipe differs from the one recorded in {Path.Combine(resumeFrom, CompiledModel.SidecarName)}; resume with the same --set overrides");
            Checkpoint.LoadModel(gpt, resumeFrom);
            Checkpoint.LoadOptimizer(gpt, optimizer, resumeFrom);
            step = saved.Lineage.Step ?? 0;
        }
        else
        {
            AddNoise(gpt, recipe.NoiseStd, recipe.Seed, trained);
        }

        var sets = HeldOutSets(parent, recipe.EvalSize, recipe.EvalSeed, recipe.Shift);
        var data = TracrTask.For(parent) with { FineTuneTarget = !recipe.Reverse, CorrelatedShare = recipe.CorrelatedShare, Shift = recipe.Shift };
        var schedule = new LearningRateSchedule(recipe.LearningRate, recipe.Steps, recipe.Warmup, recipe.MinLrRatio);
        using var metrics = new MetricsLog(Path.Combine(outputDirectory, "metrics.jsonl"), step);
        var history = step == 0 ? [] : History(metrics.Path);
        var run = new TracrStage(parent, parentRef, recipe, settings, data, sets, Seeds.Data(recipe.Seed, stage), stage, gpt, optimizer, outputDirectory, history, log);
        if (step == 0) run.Evaluate(0, double.NaN, gpt, metrics);
        TrainingLoop.Run(gpt, optimizer, schedule, run, recipe.Seed, step, metrics, resumedFrom: resumeFrom);

        var result = parent.WithWeights(gpt) with { Lineage = run.LineageAt(recipe.Steps) };
        result.Save(outputDirectory);
        return new TracrRunResult(result, history);
    }

    // The evaluations a run recorded in its metrics file (before a resume point, or of a finished run being reused).
    internal static List<(long, IReadOnlyList<SetAccuracy>)> History(string metricsPath) =>
        MetricsLog.Read(metricsPath).Where(r => (string?)r["kind"] == "eval").Select(r => ((long)r["step"]!, (IReadOnlyList<SetAccuracy>)
            r["sets"]!.AsObject().Select(kv => new SetAccuracy(kv.Key, (double)kv.Value!["accuracy"]!, (double)kv.Value!["majority_share"]!, (int)kv.Value!["size"]!)).ToList())).ToList();

    /// <summary>The Tracr setting's stage: batches of the program's task, the four held-out sets, model.json checkpoints.</summary>
    private sealed class TracrStage(CompiledModel parent, ParentRef parentRef, TracrRecipe recipe, IReadOnlyDictionary<string, string> settings, TracrTask data,
        IReadOnlyList<TracrEvalSet> sets, ulong dataSeed, string stage, Gpt gpt, SgdMomentum optimizer, string outputDirectory,
        List<(long, IReadOnlyList<SetAccuracy>)> history, Action<string>? log) : ITrainingStage
    {
        public string Name => stage;

        public long TotalSteps => recipe.Steps;

        public bool PrefetchBatches => true;

        public TrainingBatch BatchAt(long step)
        {
            var (tokens, targets) = TracrTask.Batch(parent, data.Samples(parent, dataSeed, recipe.BatchSize, step * recipe.BatchSize));
            return new TrainingBatch(tokens, targets, recipe.BatchSize, data.Length + 1);
        }

        public bool EvaluatesAt(long step) => step % recipe.EvalEvery == 0 || step == recipe.Steps;

        public void Evaluate(long step, double lastLoss, Gpt model, MetricsLog metrics)
        {
            var acc = TracrTraining.Evaluate(model, parent, sets);
            history.Add((step, acc));
            metrics.Write(Trainer.EvalRecord(stage, step, acc));
            log?.Invoke($"eval @ {step}: " + string.Join("; ", acc.Select(a => $"{a.Name} {a.Accuracy:P1}")));
        }

        public bool CheckpointsAt(long step) => EvaluatesAt(step);

        public TracrLineage LineageAt(long step) => new() { Stage = stage, Parent = parentRef, Settings = settings, Step = step };

        public string SaveCheckpoint(long step, double lastLoss)
        {
            var snapshot = parent.WithWeights(gpt) with { Lineage = LineageAt(step) };
            return Checkpoint.Save(outputDirectory, step, gpt, optimizer, keepLast: 2, (dir, _) => snapshot.SaveSidecar(dir));
        }
    }

    /// <summary>The parameters a recipe trains: every one but lm_head, the fixed readout, unless it trains the readout too.</summary>
    public static IReadOnlyList<ParameterSpec> Trained(Gpt gpt, TracrRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(gpt);
        ArgumentNullException.ThrowIfNull(recipe);
        return gpt.Layout.Parameters.Where(p => recipe.TrainReadout || p.Name != "lm_head.weight").ToList();
    }

    /// <summary>
    /// w ← w + N(0, σ²) for every weight of <paramref name="parameters"/> (null: all), from a counter-based source
    /// indexed by the weight's place in the flat buffer, so a seed gives the same noise everywhere.
    /// </summary>
    public static void AddNoise(Gpt gpt, double std, ulong seed, IEnumerable<ParameterSpec>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(gpt);
        if (std == 0) return;
        var host = gpt.Parameters.ToArray();
        ulong noiseSeed = Seeds.Noise(seed);
        foreach (var p in parameters ?? gpt.Layout.Parameters)
            for (int i = p.Offset; i < p.Offset + p.Length; i++) host[i] += (float)(std * Gaussian.Sample(noiseSeed, (ulong)i));
        gpt.Parameters.CopyFromHost(host);
    }

    private static double MajorityShare(TracrSample[] samples) =>
        samples.Length == 0 ? 0 : samples.GroupBy(s => s.Target).Max(g => g.Count()) / (double)samples.Length;
}
