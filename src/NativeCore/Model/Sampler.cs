using NativeCore.Kernels;

namespace NativeCore.Model;

/// <summary>
/// Autoregressive generation with temperature and top-k sampling. Draw i of a seed comes from the counter hash of
/// (seed, i), so the same model, prompt and seed give the same text on every run.
/// </summary>
public static class Sampler
{
    /// <summary>
    /// Extends <paramref name="prompt"/> by up to <paramref name="maxTokens"/> tokens and returns only the new ones. The
    /// context is cropped to the model's block size (nanoGPT's choice). Temperature 0 is greedy; top-k 0 keeps every
    /// token. Generation stops before a token for which <paramref name="stop"/> is true.
    /// </summary>
    public static int[] Generate(Gpt model, IReadOnlyList<int> prompt, int maxTokens, float temperature, int topK, ulong seed, Func<int, bool>? stop = null) =>
        GenerateBatch(model, [prompt], maxTokens, temperature, topK, seed, stop)[0];

    /// <summary>
    /// Extends every prompt; sequence i draws from the stream (seed, i). When every prompt plus
    /// <paramref name="maxTokens"/> fits the block, each sequence is decoded with a key-value cache
    /// (<see cref="KvDecoder"/>), one new row per token. Otherwise, or with <paramref name="cache"/> false, the whole
    /// context is run again for every token, as one padded batch (a causal model never reads the padding from earlier
    /// positions); a context that outgrows the block is cropped to its last block_size tokens and runs alone.
    /// </summary>
    public static int[][] GenerateBatch(Gpt model, IReadOnlyList<IReadOnlyList<int>> prompts, int maxTokens, float temperature, int topK, ulong seed, Func<int, bool>? stop = null,
        bool cache = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Any(p => p.Count == 0)) throw new ArgumentException("every prompt needs at least one token (BOS)", nameof(prompts));
        if (temperature < 0 || float.IsNaN(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be ≥ 0");
        if (topK < 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k must be ≥ 0 (0 keeps every token)");
        if (!model.Config.Causal) throw new InvalidOperationException("generation needs a causal model");
        if (cache && prompts.All(p => p.Count + maxTokens <= model.Config.BlockSize))
            return Decode(model, prompts, maxTokens, temperature, topK, seed, stop);
        var contexts = prompts.Select(p => p.ToList()).ToArray();
        var generated = prompts.Select(_ => new List<int>()).ToArray();
        var live = Enumerable.Range(0, prompts.Count).ToList();
        int block = model.Config.BlockSize;
        for (int step = 0; step < maxTokens && live.Count > 0; step++)
        {
            // Sequences that fit the block share one padded forward pass; a cropped one runs alone.
            var groups = live.Max(i => contexts[i].Count) <= block ? [live.ToList()] : live.Select(i => new List<int> { i }).ToList();
            var picks = new Dictionary<int, int>();
            foreach (var group in groups)
            {
                var windows = group.Select(i => contexts[i].Skip(Math.Max(0, contexts[i].Count - block)).ToArray()).ToArray();
                int t = windows.Max(w => w.Length);
                var tokens = new int[group.Count * t];
                for (int g = 0; g < group.Count; g++) windows[g].CopyTo(tokens, g * t);
                model.Forward(tokens, [], group.Count, t);
                for (int g = 0; g < group.Count; g++)
                    picks[group[g]] = Pick(model.LogitsAt(g, windows[g].Length - 1), temperature, topK, CounterHash.Mix(CounterHash.Mix(seed, (ulong)group[g]), (ulong)step));
            }
            foreach (var (i, next) in picks)
            {
                if (stop?.Invoke(next) == true)
                {
                    live.Remove(i);
                    continue;
                }
                generated[i].Add(next);
                contexts[i].Add(next);
            }
        }
        return generated.Select(g => g.ToArray()).ToArray();
    }

    // Every sequence through its own key-value cache, in lockstep: each round feeds every live sequence one token (its
    // next prompt token, or its last pick), so their rows share each linear layer. Sequence i's pick k draws from
    // (seed, i, k), as in the recomputing path.
    private static int[][] Decode(Gpt model, IReadOnlyList<IReadOnlyList<int>> prompts, int maxTokens, float temperature, int topK, ulong seed, Func<int, bool>? stop)
    {
        if (maxTokens <= 0) return prompts.Select(_ => Array.Empty<int>()).ToArray();
        var decoders = prompts.Select(_ => model.StartDecoding()).ToArray();
        try
        {
            var generated = prompts.Select(_ => new List<int>()).ToArray();
            var fed = new int[prompts.Count];
            var next = prompts.Select(p => p[0]).ToArray();
            var live = Enumerable.Range(0, prompts.Count).ToList();
            while (live.Count > 0)
            {
                var logits = model.Decode(live.Select(i => decoders[i]).ToList(), live.Select(i => next[i]).ToArray());
                var still = new List<int>();
                for (int r = 0; r < live.Count; r++)
                {
                    int i = live[r];
                    fed[i]++;
                    if (fed[i] < prompts[i].Count)
                    {
                        next[i] = prompts[i][fed[i]];
                        still.Add(i);
                        continue;
                    }
                    int k = generated[i].Count;
                    int pick = Pick(logits[r], temperature, topK, CounterHash.Mix(CounterHash.Mix(seed, (ulong)i), (ulong)k));
                    if (stop?.Invoke(pick) == true) continue;
                    generated[i].Add(pick);
                    next[i] = pick;
                    if (generated[i].Count < maxTokens) still.Add(i);
                }
                live = still;
            }
            return generated.Select(g => g.ToArray()).ToArray();
        }
        finally
        {
            foreach (var d in decoders) d.Dispose();
        }
    }

    /// <summary>One draw from softmax(logits / temperature) over the top-k logits, using the uniform from <paramref name="draw"/>.</summary>
    public static int Pick(ReadOnlySpan<float> logits, float temperature, int topK, ulong draw)
    {
        int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits);
        if (temperature == 0 || topK == 1) return best;
        // Token ids by descending logit.
        var order = Enumerable.Range(0, logits.Length).ToArray();
        var descending = logits.ToArray().Select(l => -l).ToArray();
        Array.Sort(descending, order);
        int kept = topK == 0 ? logits.Length : Math.Min(topK, logits.Length);
        var weights = new double[kept];
        double total = 0;
        for (int j = 0; j < kept; j++)
        {
            weights[j] = Math.Exp((logits[order[j]] - logits[best]) / (double)temperature);
            total += weights[j];
        }
        double u = (draw >> 11) * (1.0 / 9007199254740992.0) * total;
        for (int j = 0; j < kept; j++)
        {
            u -= weights[j];
            if (u < 0) return order[j];
        }
        return order[kept - 1];
    }
}
