using System.Text.Json;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Tasks;
using NativeCore.Training;

namespace NativeCore.Analysis;

/// <summary>A checkpoint loaded onto a backend, with its resolved config.</summary>
internal sealed class LoadedModel : IDisposable
{
    private LoadedModel(string directory, RunConfig config, Gpt model)
    {
        Directory = directory;
        Config = config;
        Model = model;
    }

    /// <summary>The checkpoint folder.</summary>
    public string Directory { get; }

    /// <summary>Its resolved config.</summary>
    public RunConfig Config { get; }

    /// <summary>The model, on the backend.</summary>
    public Gpt Model { get; }

    /// <summary>Loads the checkpoint meant by <paramref name="path"/> (run folder or checkpoint).</summary>
    public static LoadedModel Load(string path, IBackend backend)
    {
        string dir = Checkpoint.Resolve(path);
        var config = Checkpoint.ReadSidecar(dir).Config;
        var model = new Gpt(backend, config.Model);
        Checkpoint.LoadModel(model, dir);
        return new LoadedModel(dir, config, model);
    }

    /// <summary>A freshly initialised model of <paramref name="config"/>'s shape (seeded by its run seed): the untrained control of a probe.</summary>
    public static LoadedModel Untrained(RunConfig config, IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(config);
        var model = new Gpt(backend, config.Model);
        model.InitializeWeights(config.Seed);
        return new LoadedModel("(untrained)", config, model);
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => Model.Dispose();
}

/// <summary>The analysis tools run end to end: compute, then write JSON, PNG and CSV into a folder.</summary>
internal static class AnalysisRuns
{
    /// <summary>Pruning curve K = 0…<paramref name="maxK"/>; writes prune.json and prune.png.</summary>
    public static IReadOnlyList<PruneStep> Prune(LoadedModel m, Capability capability, PruneUnit unit, int maxK, string outDir, int scoreBatch = 256)
    {
        ArgumentNullException.ThrowIfNull(m);
        var sets = Stages.EvalSets(m.Config);
        var steps = Pruning.Curve(m.Model, m.Config.Data, capability, unit, maxK, sets, scoreBatch, m.Config.Eval.BatchSize, PruneSelection.ScoreSeed);
        OutputFolder.Claim(outDir, OutputFolder.Kinds.Analysis);
        AtomicFile.WriteAllText(Path.Combine(outDir, "prune.json"), JsonSerializer.Serialize(new PruneJson(m.Directory, capability.ToString(), unit.ToString().ToLowerInvariant(),
            [.. steps.Select(PruneStepJson.Of)], steps[0].Accuracies.ToDictionary(a => a.Name, a => a.MajorityShare)), JsonMetadata.Indented.For<PruneJson>()));
        var series = steps[0].Accuracies.Select((a, i) => new Series(a.Name, steps.Select(s => (double)s.K).ToList(), steps.Select(s => s.Accuracies[i].Accuracy * 100).ToList())).ToList();
        Plots.Lines(Path.Combine(outDir, "prune.png"), $"Pruning {unit.ToString().ToLowerInvariant()} by gradient × weight on {capability}", "units pruned (K)", "accuracy (%)", series);
        return steps;
    }

    /// <summary>
    /// Probe accuracy per block for each of <paramref name="targets"/> on one model: features are read once, from fresh
    /// samples of <paramref name="config"/>'s seed asked with <paramref name="operand"/>, and one probe is trained per
    /// block and target. Writes probe.json.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<ProbeResult>> ProbeTargets(LoadedModel m, IReadOnlyList<string> targets, int operand, ProbeConfig config, string outDir)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(config);
        var results = Train(m, targets, operand, config);
        OutputFolder.Claim(outDir, OutputFolder.Kinds.Analysis);
        AtomicFile.WriteAllText(Path.Combine(outDir, "probe.json"), JsonSerializer.Serialize(new ProbeTargetsJson(m.Directory, ((char)('a' + operand)).ToString(), config.Seed,
            [.. targets.Select((t, i) => new ProbeTargetJson(t, [.. results[i].Select((r, b) => ProbeBlockJson.Of(r, b, withSize: true))]))]),
            JsonMetadata.Indented.For<ProbeTargetsJson>()));
        return results;
    }

    /// <summary>Reads features once from fresh samples (seeded by <paramref name="config"/>) and trains one probe per block and target.</summary>
    private static IReadOnlyList<IReadOnlyList<ProbeResult>> Train(LoadedModel m, IReadOnlyList<string> targets, int operand, ProbeConfig config)
    {
        var data = m.Config.Data;
        var parsed = targets.Select(t => ProbeTarget.Parse(t, data)).ToList();
        var stream = new FinetuningData(data, m.Config.Finetune.TaskKind, 0, config.Seed, operand);
        var train = stream.Samples(config.TrainSamples);
        var test = stream.Samples(config.TestSamples, firstStep: 1_000_000);
        var hooks = Probing.Hooks(m.Config.Model);
        var trainX = Probing.Features(m.Model, data, train, hooks, m.Config.Eval.BatchSize);
        var testX = Probing.Features(m.Model, data, test, hooks, m.Config.Eval.BatchSize);
        try
        {
            return parsed.Select(t => (IReadOnlyList<ProbeResult>)hooks.Select(h =>
                Probing.Train(m.Model.Backend, h, trainX[h], train.Select(t.Label).ToArray(), testX[h], test.Select(t.Label).ToArray(), t.Classes, config)).ToList()).ToList();
        }
        finally
        {
            foreach (var t in trainX.Values.Concat(testX.Values)) t.Buffer.Dispose();
        }
    }

    /// <summary>Probe accuracy per block for one or two models; writes probe.json and probe.png.</summary>
    public static IReadOnlyList<(string Model, IReadOnlyList<ProbeResult> Results)> Probe(IReadOnlyList<LoadedModel> models, string target, int operand, ProbeConfig config, string outDir)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(config);
        var all = new List<(string, IReadOnlyList<ProbeResult>)>();
        foreach (var m in models) all.Add((m.Directory, Train(m, [target], operand, config)[0]));
        OutputFolder.Claim(outDir, OutputFolder.Kinds.Analysis);
        AtomicFile.WriteAllText(Path.Combine(outDir, "probe.json"), JsonSerializer.Serialize(new ProbeModelsJson(target, ((char)('a' + operand)).ToString(),
            [.. all.Select(a => new ProbeModelJson(a.Item1, [.. a.Item2.Select((r, i) => ProbeBlockJson.Of(r, i, withSize: false))]))]),
            JsonMetadata.Indented.For<ProbeModelsJson>()));
        var categories = all[0].Item2.Select((_, i) => Probing.BlockLabel(i)).ToList();
        var series = all.Select((a, i) => (Name: models.Count > 1 ? (i == 0 ? "before (" : "after (") + Checkpoint.RunName(a.Item1) + ")" : "test accuracy",
            Values: (IReadOnlyList<double>)a.Item2.Select(r => r.TestAccuracy * 100).ToList())).ToList();
        series.Add(("chance (majority class)", all[0].Item2.Select(r => r.Chance * 100).ToList()));
        Plots.Bars(Path.Combine(outDir, "probe.png"), $"Linear probe for {target} at ART (asked with {(char)('a' + operand)})", "probe accuracy (%)", categories, series);
        return all;
    }

    /// <summary>Attention maps for one sample; writes attention.json and a PNG per block and head.</summary>
    public static IReadOnlyList<string> Attention(IReadOnlyList<LoadedModel> models, ulong sampleSeed, int operand, string outDir)
    {
        ArgumentNullException.ThrowIfNull(models);
        var data = models[0].Config.Data;
        var sample = new FinetuningData(data, models[0].Config.Finetune.TaskKind, 0, sampleSeed, operand).Sample(0, 0);
        var maps = models.Select((m, i) => (Name: models.Count > 1 ? (i == 0 ? "before" : "after") : "model", Map: AttentionMaps.Read(m.Model, data, sample))).ToList();
        return AttentionMaps.Write(outDir, maps);
    }

    /// <summary>
    /// reFT of <paramref name="tuned"/> and the requested baselines at one learning rate; writes reft.json and reft.png
    /// (log step axis). <paramref name="swappedPretrain"/> is a model pre-trained with a and b swapped (Scr.+FT), or null to skip it.
    /// </summary>
    public static IReadOnlyList<RevivalCurve> Reft(string tuned, string? swappedPretrain, bool scratch, double learningRate, int steps, int evalEvery, string outDir, IBackend backend, ITrainingObserver? observer = null)
    {
        string dir = Checkpoint.Resolve(tuned);
        var config = ReverseFinetuning.RevivalConfig(Checkpoint.ReadSidecar(dir).Config, learningRate, steps, evalEvery);
        var curves = new List<RevivalCurve> { ReverseFinetuning.Run("reFT", config, dir, Path.Combine(outDir, "reft"), backend, observer) };
        if (swappedPretrain is not null) curves.Add(ReverseFinetuning.Run("Scr.+FT", config, swappedPretrain, Path.Combine(outDir, "scr-ft"), backend, observer));
        if (scratch) curves.Add(ReverseFinetuning.Run("Scr.", config, null, Path.Combine(outDir, "scr"), backend, observer));
        AtomicFile.WriteAllText(Path.Combine(outDir, "reft.json"), JsonSerializer.Serialize(new ReftJson(dir, learningRate, steps,
            [.. curves.Select(c => new ReftRunJson(c.Name, c.Steps, c.Accuracy, c.StepsTo90, c.StepsTo99))]), JsonMetadata.Indented.For<ReftJson>()));
        Plots.Lines(Path.Combine(outDir, "reft.png"), $"Reviving count a at lr {learningRate:G2}", "fine-tuning steps (log)", "Acc O_PT, C_Te = 0 (%)",
            curves.Select(c => new Series(c.Name, c.Steps.Select(s => (double)Math.Max(s, 1)).ToList(), c.Accuracy.Select(a => a * 100).ToList())).ToList(), logX: true);
        return curves;
    }
}
