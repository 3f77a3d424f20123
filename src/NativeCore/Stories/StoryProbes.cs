using NativeCore.Analysis;
using NativeCore.Model;
using NativeCore.Tensors;

namespace NativeCore.Stories;

/// <summary>
/// Per-layer probes for the six features (spec tinystories.md §3): the story without its header, the mean of the last
/// 10 positions of each hook's residual stream, and a linear probe per feature trained with two-class softmax
/// cross-entropy, which is BCE on the logit difference. Labels are what each story really has.
/// </summary>
internal static class StoryProbes
{
    /// <summary>Positions averaged at the end of each story.</summary>
    public const int LastPositions = 10;

    /// <summary>Probe accuracy by hook (B0 = embeddings, B1… blocks) and feature.</summary>
    public static IReadOnlyList<StoryProbeLayer> Run(Gpt model, StoryCorpus corpus, int trainCount, int testCount, ProbeConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(config);
        var hooks = Probing.Hooks(model.Config);
        var examples = Enumerable.Range(0, trainCount + testCount).Select(i => corpus.Example(StoryScoring.HeldOutStart / 2 + i)).ToList();
        var features = Features(model, corpus, examples, hooks);
        var be = model.Backend;
        int c = model.Config.NEmbd;
        var results = new List<StoryProbeLayer>();
        foreach (string hook in hooks)
        {
            var all = features[hook];
            using var trainBuffer = be.Allocate(trainCount * c);
            using var testBuffer = be.Allocate(testCount * c);
            trainBuffer.CopyFromHost(all.AsSpan(0, trainCount * c));
            testBuffer.CopyFromHost(all.AsSpan(trainCount * c, testCount * c));
            var byFeature = new Dictionary<StoryFeature, ProbeResult>();
            foreach (var feature in StoryFeatures.All)
            {
                int[] labels = examples.Select(e => e.Features.HasFlag(feature) ? 1 : 0).ToArray();
                byFeature[feature] = Probing.Train(be, hook, new Tensor(trainBuffer, 0, trainCount, c), labels[..trainCount], new Tensor(testBuffer, 0, testCount, c), labels[trainCount..], 2, config);
            }
            results.Add(new StoryProbeLayer(hook, byFeature));
        }
        return results;
    }

    /// <summary>[N·C] host features per hook: the mean of the last 10 positions of BOS + story.</summary>
    private static Dictionary<string, float[]> Features(Gpt model, StoryCorpus corpus, IReadOnlyList<StoryExample> examples, IReadOnlyList<string> hooks)
    {
        int c = model.Config.NEmbd, block = model.Config.BlockSize;
        var features = hooks.ToDictionary(h => h, _ => new float[examples.Count * c], StringComparer.Ordinal);
        using var cache = new ActivationCache(hooks);
        const int batch = 32;
        for (int start = 0; start < examples.Count; start += batch)
        {
            var seqs = examples.Skip(start).Take(batch).Select(e => new[] { corpus.BosId }.Concat(corpus.EncodeText(e.Story)).Take(block).ToArray()).ToList();
            int t = seqs.Max(s => s.Length);
            var tokens = new int[seqs.Count * t];
            // Padding after a story's end is never read by its positions: the model is causal.
            for (int i = 0; i < seqs.Count; i++) seqs[i].CopyTo(tokens, i * t);
            model.Forward(tokens, [], seqs.Count, t, cache);
            foreach (string hook in hooks)
            {
                var act = cache[hook].ToArray();
                for (int i = 0; i < seqs.Count; i++)
                {
                    int last = seqs[i].Length, first = Math.Max(0, last - LastPositions);
                    var dst = features[hook].AsSpan((start + i) * c, c);
                    for (int p = first; p < last; p++)
                        for (int k = 0; k < c; k++) dst[k] += act[(i * t + p) * c + k] / (last - first);
                }
            }
        }
        return features;
    }
}

/// <summary>One hook's probes, by feature.</summary>
/// <param name="Hook">The hook read (B0 = embeddings, B1… blocks).</param>
/// <param name="Results">Each feature's probe.</param>
internal sealed record StoryProbeLayer(string Hook, IReadOnlyDictionary<StoryFeature, ProbeResult> Results);
