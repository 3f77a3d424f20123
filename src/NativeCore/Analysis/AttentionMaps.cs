using System.Text.Json;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Tasks;

namespace NativeCore.Analysis;

/// <summary>The attention probabilities of one sample: [layer][head][query][key], with the sample's tokens.</summary>
/// <param name="Tokens">The input tokens by name, one per position.</param>
/// <param name="Patterns">Probabilities, [layer][head][query][key].</param>
public sealed record AttentionMap(IReadOnlyList<string> Tokens, float[][][][] Patterns);

/// <summary>
/// Attention maps (spec §8) read from the <c>transformer.h.{i}.attn.pattern</c> hooks: per block and head, queries down
/// and keys across, as JSON and as PNG heatmaps labelled with the tokens, two models side by side when compared.
/// </summary>
public static class AttentionMaps
{
    /// <summary>Runs <paramref name="model"/> on one sample and reads every pattern hook.</summary>
    public static AttentionMap Read(Gpt model, DataConfig data, GrammarSample sample)
    {
        var batch = Batch.From([sample], data, LossMask.AnswerOnly);
        return Read(model, batch.Tokens, batch.Tokens.Select(Vocabulary.Name).ToList());
    }

    /// <summary>Runs <paramref name="model"/> on one sequence of token ids, named by <paramref name="tokenNames"/>, and reads every pattern hook.</summary>
    public static AttentionMap Read(Gpt model, int[] tokens, IReadOnlyList<string> tokenNames)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        var cfg = model.Config;
        var hooks = Enumerable.Range(0, cfg.NLayer).Select(HookPoints.AttnPattern).ToList();
        using var cache = new ActivationCache(hooks);
        int t = tokens.Length;
        model.Forward(tokens, [], 1, t, cache);
        var patterns = hooks.Select(h =>
        {
            var flat = cache[h].ToArray();
            return Enumerable.Range(0, cfg.NHead).Select(head =>
                Enumerable.Range(0, t).Select(q => flat.AsSpan((head * t + q) * t, t).ToArray()).ToArray()).ToArray();
        }).ToArray();
        return new AttentionMap(tokenNames, patterns);
    }

    /// <summary>Writes attention.json and one PNG (with its CSV) per block and head into <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<(string Name, AttentionMap Map)> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "attention.json"), JsonSerializer.Serialize(models.ToDictionary(m => m.Name, m => new AttentionJson(m.Map.Tokens, m.Map.Patterns)),
            JsonMetadata.Compact.For<Dictionary<string, AttentionJson>>()));
        var first = models[0].Map;
        var files = new List<string>();
        for (int l = 0; l < first.Patterns.Length; l++)
        {
            for (int h = 0; h < first.Patterns[l].Length; h++)
            {
                string png = Path.Combine(directory, $"attention-block{l}-head{h}.png");
                var panels = models.Select(m => (m.Name, ToGrid(m.Map.Patterns[l][h]))).ToList();
                Plots.Heatmaps(png, $"block {l}, head {h}", panels, first.Tokens, first.Tokens);
                files.Add(png);
            }
        }
        return files;
    }

    /// <summary>[query][key] as a [query, key] grid.</summary>
    private static double[,] ToGrid(float[][] pattern)
    {
        int t = pattern.Length;
        var grid = new double[t, t];
        for (int q = 0; q < t; q++)
            for (int k = 0; k < t; k++) grid[q, k] = pattern[q][k];
        return grid;
    }
}
