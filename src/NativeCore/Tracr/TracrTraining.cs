using NativeCore.IO;
using System.Globalization;
using System.Text.Json.Nodes;
using NativeCore.Backends;
using NativeCore.Kernels;
using NativeCore.Model;
using NativeCore.Tensors;
using NativeCore.Training;

namespace NativeCore.Tracr;

/// <summary>
/// The Tracr setting's fine-tuning recipe (spec tracr.md §4): Gaussian noise on every compiled weight, then SGD with
/// momentum, batch 96, 10K iterations, 2K linear warm-up and cosine decay to lr/100, cross-entropy on the answer at
/// position 2. The model is fine-tuned to the program's fine-tuning target (count b, 7th smallest), or back to the
/// compiled capability when <see cref="Reverse"/>, with the q-shift correlation at share C_Tr.
/// </summary>
public sealed record TracrRecipe
{
    /// <summary>Iterations.</summary>
    public int Steps { get; init; } = 10_000;

    /// <summary>Sequences per iteration.</summary>
    public int BatchSize { get; init; } = 96;

    /// <summary>Peak learning rate (the paper's grid: 1e-1, 1e-2, 1e-3, 1e-4).</summary>
    public double LearningRate { get; init; } = 1e-2;

    /// <summary>Share of the steps in linear warm-up (2K of 10K).</summary>
    public double Warmup { get; init; } = 0.2;

    /// <summary>The final learning rate as a share of the peak.</summary>
    public double MinLrRatio { get; init; } = 0.01;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Global gradient-norm clip (0 turns it off). Not in the spec's recipe: compiled weights reach 100 and an unclipped step at lr 1e-2 breaks the model (see the closing note).</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Standard deviation of the Gaussian noise added to every weight before training (0 for none).</summary>
    public double NoiseStd { get; init; } = 0.001;

    /// <summary>Train back to the compiled capability (count a, 5th smallest): reverse fine-tuning.</summary>
    public bool Reverse { get; init; }

    /// <summary>C_Tr: the share of training samples with count(b) − count(a) = q.</summary>
    public double CorrelatedShare { get; init; }

    /// <summary>q.</summary>
    public int Shift { get; init; } = 1;

    /// <summary>Seed of the noise and the data.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Evaluate every this many steps (and at the end).</summary>
    public int EvalEvery { get; init; } = 500;

    /// <summary>Samples per held-out set.</summary>
    public int EvalSize { get; init; } = 1024;

    /// <summary>Seed of the held-out sets.</summary>
    public ulong EvalSeed { get; init; } = 20240101;

    /// <summary>
    /// Applies <c>key=value</c> overrides (steps, batch_size, lr, warmup, min_lr_ratio, momentum, noise_std, grad_clip,
    /// ctr, q, seed, eval_every, eval_size), then checks the result.
    /// </summary>
    /// <exception cref="InvalidConfigException">An unknown key, a value of the wrong type, or an invalid value; the message names it.</exception>
    public TracrRecipe WithOverrides(IEnumerable<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var r = this;
        foreach (string entry in overrides)
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new InvalidConfigException($"--set '{entry}' must look like key=value");
            string key = entry[..eq], value = entry[(eq + 1)..];
            double D() => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : throw new InvalidConfigException($"--set {key}: '{value}' is not a number");
            int I() => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : throw new InvalidConfigException($"--set {key}: '{value}' is not an integer");
            r = key switch
            {
                "steps" => r with { Steps = I() },
                "batch_size" => r with { BatchSize = I() },
                "lr" => r with { LearningRate = D() },
                "warmup" => r with { Warmup = D() },
                "min_lr_ratio" => r with { MinLrRatio = D() },
                "momentum" => r with { Momentum = D() },
                "noise_std" => r with { NoiseStd = D() },
                "grad_clip" => r with { GradClip = D() },
                "ctr" => r with { CorrelatedShare = D() },
                "q" => r with { Shift = I() },
                "seed" => r with { Seed = ulong.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong u) ? u : throw new InvalidConfigException($"--set seed: '{value}' is not an unsigned integer") },
                "eval_every" => r with { EvalEvery = I() },
                "eval_size" => r with { EvalSize = I() },
                _ => throw new InvalidConfigException($"--set {key}: unknown key for the tracr setting (steps, batch_size, lr, warmup, min_lr_ratio, momentum, noise_std, grad_clip, ctr, q, seed, eval_every, eval_size)"),
            };
        }
        r.Validate();
        return r;
    }

    /// <summary>Throws naming the first field that cannot work.</summary>
    public void Validate()
    {
        void Check(bool ok, string field, object value, string rule)
        {
            if (!ok) throw new InvalidConfigException($"tracr {field} {rule}, got {value}");
        }
        Check(Steps > 0, "steps", Steps, "must be positive");
        Check(BatchSize > 0, "batch_size", BatchSize, "must be positive");
        Check(LearningRate > 0, "lr", LearningRate, "must be positive");
        Check(Warmup is >= 0 and <= 1, "warmup", Warmup, "must be in [0, 1]");
        Check(MinLrRatio is >= 0 and <= 1, "min_lr_ratio", MinLrRatio, "must be in [0, 1]");
        Check(Momentum is >= 0 and < 1, "momentum", Momentum, "must be in [0, 1)");
        Check(NoiseStd >= 0, "noise_std", NoiseStd, "must be non-negative");
        Check(GradClip >= 0, "grad_clip", GradClip, "must be non-negative");
        Check(CorrelatedShare is >= 0 and <= 1, "ctr", CorrelatedShare, "must be in [0, 1]");
        Check(Shift != 0, "q", Shift, "must not be 0");
        Check(EvalEvery > 0, "eval_every", EvalEvery, "must be positive");
        Check(EvalSize > 0, "eval_size", EvalSize, "must be positive");
    }

    /// <summary>The recipe as lineage settings.</summary>
    public IReadOnlyDictionary<string, string> Describe() => new Dictionary<string, string>
    {
        ["optimizer"] = string.Create(CultureInfo.InvariantCulture, $"SGD, momentum {Momentum}"),
        ["lr"] = LearningRate.ToString("G", CultureInfo.InvariantCulture),
        ["steps"] = Steps.ToString(CultureInfo.InvariantCulture),
        ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["schedule"] = string.Create(CultureInfo.InvariantCulture, $"{Warmup:P0} linear warm-up, cosine to lr×{MinLrRatio}"),
        ["noise_std"] = NoiseStd.ToString("G", CultureInfo.InvariantCulture),
        ["grad_clip"] = GradClip.ToString("G", CultureInfo.InvariantCulture),
        ["task"] = Reverse ? "the compiled capability (count a, 5th smallest)" : "the fine-tuning target (count b, 7th smallest)",
        ["ctr"] = CorrelatedShare.ToString("G", CultureInfo.InvariantCulture),
        ["q"] = Shift.ToString(CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
    };
}

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
