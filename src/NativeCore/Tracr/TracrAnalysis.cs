using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Model;

namespace NativeCore.Tracr;

/// <summary>The Tracr setting's analysis drivers: pruning and attention/residual maps, each writing its files.</summary>
internal static class TracrAnalysis
{
    /// <summary>
    /// Prunes units by gradient × weight on the compiled capability's loss, K = 0…<paramref name="maxK"/>, scored on
    /// 256 samples drawn with <see cref="PruneSelection.ScoreSeed"/> and measured on the recipe's held-out sets; writes
    /// prune-units.csv and prune.png into <paramref name="outDir"/>. The fixed readout (lm_head) is left out unless
    /// <paramref name="includeReadout"/>.
    /// </summary>
    public static IReadOnlyList<PruneStep> Prune(string folder, PruneUnit unit, int maxK, string outDir, IBackend backend, bool includeReadout = false)
    {
        var model = CompiledModel.Load(folder);
        using var gpt = model.Build(backend);
        var recipe = new TracrRecipe();
        var sets = TracrTraining.HeldOutSets(model, recipe.EvalSize, recipe.EvalSeed);
        var task = TracrTask.For(model);
        var scoreSamples = task.Samples(model, PruneSelection.ScoreSeed, 256);
        var (tokens, targets) = TracrTask.Batch(model, scoreSamples);
        // The readout is Tracr's fixed unembedding, not a trained weight: pruning it would cut the model's output
        // rather than find where a capability sits. With includeReadout (for a model whose readout was trained) it is.
        var scores = Pruning.Score(gpt, tokens, targets, scoreSamples.Length, task.Length + 1, unit, includeReadout ? Pruning.WeightMatrices(gpt) : Pruning.BlockMatrices(gpt));
        var curve = Pruning.Curve(gpt, scores, unit, maxK, () => TracrTraining.Evaluate(gpt, model, sets));
        OutputFolder.Claim(outDir, OutputFolder.Kinds.Analysis);
        var names = curve[0].Accuracies.Select(a => a.Name).ToList();
        var lines = new List<string> { "k,parameter,index,score," + string.Join(",", names) };
        foreach (var step in curve)
        {
            lines.Add(string.Join(",", new[] { step.K.ToString(CultureInfo.InvariantCulture), step.Removed?.Parameter ?? "", step.Removed?.Index.ToString(CultureInfo.InvariantCulture) ?? "", step.Removed?.Score.ToString("G6", CultureInfo.InvariantCulture) ?? "" }
                .Concat(step.Accuracies.Select(a => a.Accuracy.ToString("F4", CultureInfo.InvariantCulture)))));
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, "prune-units.csv"), string.Join("\n", lines) + "\n");
        Plots.Lines(Path.Combine(outDir, "prune.png"), $"pruning {unit.ToString().ToLowerInvariant()} by gradient × weight ({task.SetName(false)} loss)", "units pruned", "accuracy",
            names.Select(n => new Series(n, curve.Select(s => (double)s.K).ToArray(), curve.Select(s => s.Accuracies.First(a => a.Name == n).Accuracy).ToArray())).ToList());
        return curve;
    }

    /// <summary>
    /// Attention maps per layer with token-labelled axes, and the residual stream by direction name, for one input:
    /// <paramref name="input"/>'s letters, or the Counter's sample number <paramref name="sample"/>. Returns the files written.
    /// </summary>
    /// <exception cref="InvalidConfigException">The input is longer than a model takes or has a letter outside its vocabulary.</exception>
    public static IReadOnlyList<string> Attention(IReadOnlyList<string> folders, string? input, ulong sample, string outDir, IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var maps = new List<(string, AttentionMap)>();
        var written = new List<string>();
        foreach (string folder in folders)
        {
            var model = CompiledModel.Load(folder);
            string[] letters = input is { } text
                ? text.Select(ch => ch.ToString()).ToArray()
                : TracrTask.For(model).Sample(model, 31337, (long)sample).Tokens;
            if (letters.Length > model.MaxLength) throw new InvalidConfigException($"--input has {letters.Length} letters; {folder} takes at most {model.MaxLength}");
            if (letters.FirstOrDefault(l => !model.Vocabulary.Contains(l)) is { } unknown)
                throw new InvalidConfigException($"--input: '{unknown}' is not in {folder}'s vocabulary ({string.Join("", model.Vocabulary)})");
            using var gpt = model.Build(backend);
            int[] ids = model.Encode(letters);
            var names = ids.Select(i => model.InputTokens[i]).ToList();
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
            maps.Add((name, AttentionMaps.Read(gpt, ids, names)));
            string png = Path.Combine(outDir, $"residual-{name}.png");
            WriteResidual(gpt, model, ids, names, png);
            written.Add(png);
        }
        written.AddRange(AttentionMaps.Write(outDir, maps));
        return written;
    }

    /// <summary>One heatmap per block of the residual stream after it: positions down, named directions across.</summary>
    private static void WriteResidual(Gpt gpt, CompiledModel model, int[] ids, IReadOnlyList<string> tokens, string png)
    {
        var hooks = Enumerable.Range(0, gpt.Config.NLayer).Select(HookPoints.ResidPost).ToList();
        using var cache = new ActivationCache(hooks);
        gpt.Forward(ids, [], 1, ids.Length, cache);
        int t = ids.Length, c = gpt.Config.NEmbd;
        var panels = hooks.Select((h, l) =>
        {
            var flat = cache[h].ToArray();
            var grid = new double[t, c];
            for (int p = 0; p < t; p++)
                for (int d = 0; d < c; d++) grid[p, d] = flat[p * c + d];
            return ($"after block {l}", grid);
        }).ToList();
        Plots.Heatmaps(png, "residual stream by direction", panels, tokens, model.Residual, rowAxis: "position", colAxis: "direction");
    }
}
