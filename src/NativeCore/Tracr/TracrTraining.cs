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
public sealed record TracrEvalSet(string Name, TracrSample[] Samples);

/// <summary>What a Tracr training run produced.</summary>
/// <param name="Model">The trained model (weights and sidecar).</param>
/// <param name="History">Every evaluation, by step (step 0 is before training, after the noise).</param>
public sealed record TracrRunResult(CompiledModel Model, IReadOnlyList<(long Step, IReadOnlyList<SetAccuracy> Accuracies)> History)
{
    /// <summary>The first evaluated step at which <paramref name="set"/> reached <paramref name="threshold"/>, or null.</summary>
    public long? StepsTo(string set, double threshold) =>
        History.Where(h => h.Accuracies.Any(a => a.Name == set && a.Accuracy >= threshold)).Select(h => (long?)h.Step).FirstOrDefault();
}

/// <summary>Fine-tuning, reverse fine-tuning and evaluation of compiled models.</summary>
public static class TracrTraining
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
    /// Trains <paramref name="parent"/> (saved in <paramref name="parentDirectory"/>) by <paramref name="recipe"/> and
    /// writes the result, with metrics.jsonl and its lineage, to <paramref name="outputDirectory"/>.
    /// </summary>
    /// <exception cref="NumericalDivergenceException">The loss became NaN or infinite; nothing is saved.</exception>
    public static TracrRunResult Train(CompiledModel parent, string parentDirectory, TracrRecipe recipe, IBackend backend, string outputDirectory, string stage, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(backend);
        if (File.Exists(Path.Combine(outputDirectory, CompiledModel.SidecarName)))
            throw new InvalidConfigException($"{outputDirectory} already holds a model; choose another --out");
        OutputFolder.Claim(outputDirectory, OutputFolder.Kinds.TracrModel);

        using var gpt = parent.Build(backend);
        AddNoise(gpt, recipe.NoiseStd, recipe.Seed);
        using var momentumBuffer = backend.Allocate(gpt.Parameters.Length);
        var momentum = new Tensor(momentumBuffer, 0, momentumBuffer.Length);
        var parameters = new Tensor(gpt.Parameters, 0, gpt.Parameters.Length);
        var gradients = new Tensor(gpt.Gradients, 0, gpt.Gradients.Length);
        var sets = HeldOutSets(parent, recipe.EvalSize, recipe.EvalSeed, recipe.Shift);
        var data = TracrTask.For(parent) with { FineTuneTarget = !recipe.Reverse, CorrelatedShare = recipe.CorrelatedShare, Shift = recipe.Shift };
        var schedule = new LearningRateSchedule(recipe.LearningRate, recipe.Steps, recipe.Warmup, recipe.MinLrRatio);
        ulong dataSeed = CounterHash.Mix(recipe.Seed, 0xDA7A);
        var history = new List<(long, IReadOnlyList<SetAccuracy>)>();
        using var metrics = new MetricsLog(Path.Combine(outputDirectory, "metrics.jsonl"), 0);

        void Eval(long step)
        {
            var acc = Evaluate(gpt, parent, sets);
            history.Add((step, acc));
            metrics.Write(Trainer.EvalRecord(stage, step, acc));
            log?.Invoke($"eval @ {step}: " + string.Join("; ", acc.Select(a => $"{a.Name} {a.Accuracy:P1}")));
        }

        Eval(0);
        for (long step = 0; step < recipe.Steps; step++)
        {
            var (tokens, targets) = TracrTask.Batch(parent, data.Samples(parent, dataSeed, recipe.BatchSize, step * recipe.BatchSize));
            float loss = gpt.Forward(tokens, targets, recipe.BatchSize, data.Length + 1);
            if (!float.IsFinite(loss))
                throw new NumericalDivergenceException($"loss is {loss} at step {step + 1} ({stage}, lr {schedule.At(step):G3}); stopped, nothing saved in {outputDirectory}");
            gpt.Backward();
            double lr = schedule.At(step);
            double gradNorm = Math.Sqrt(backend.SumOfSquares(gradients));
            if (!double.IsFinite(gradNorm)) throw new NumericalDivergenceException($"gradient norm is {gradNorm} at step {step + 1} ({stage}); stopped, nothing saved in {outputDirectory}");
            float scale = recipe.GradClip > 0 && gradNorm > recipe.GradClip ? (float)(recipe.GradClip / gradNorm) : 1f;
            backend.SgdMomentum(parameters, gradients, momentum, (float)lr, (float)recipe.Momentum, scale);
            metrics.Write(new JsonObject { ["kind"] = "step", ["stage"] = stage, ["step"] = step + 1, ["loss"] = loss, ["lr"] = lr, ["grad_norm"] = gradNorm });
            if ((step + 1) % recipe.EvalEvery == 0 || step + 1 == recipe.Steps) Eval(step + 1);
        }

        var parentRef = new ParentRef(Path.GetFullPath(parentDirectory), Checkpoint.Sha256(Path.Combine(parentDirectory, "model.safetensors")), parent.Lineage?.Stage ?? "compile");
        var result = parent.WithWeights(gpt) with { Lineage = new TracrLineage { Stage = stage, Parent = parentRef, Settings = recipe.Describe() } };
        result.Save(outputDirectory);
        return new TracrRunResult(result, history);
    }

    /// <summary>w ← w + N(0, σ²) for every weight, from a counter-based source so a seed gives the same noise everywhere.</summary>
    public static void AddNoise(Gpt gpt, double std, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(gpt);
        if (std == 0) return;
        var host = gpt.Parameters.ToArray();
        ulong noiseSeed = CounterHash.Mix(seed, 0x0015E);
        for (int i = 0; i < host.Length; i++) host[i] += (float)(std * Gaussian.Sample(noiseSeed, (ulong)i));
        gpt.Parameters.CopyFromHost(host);
    }

    private static double MajorityShare(TracrSample[] samples) =>
        samples.Length == 0 ? 0 : samples.GroupBy(s => s.Target).Max(g => g.Count()) / (double)samples.Length;
}
