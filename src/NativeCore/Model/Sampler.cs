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
    public static int[] Generate(Gpt model, IReadOnlyList<int> prompt, int maxTokens, float temperature, int topK, ulong seed, Func<int, bool>? stop = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Count == 0) throw new ArgumentException("the prompt needs at least one token (BOS)", nameof(prompt));
        if (temperature < 0 || float.IsNaN(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be ≥ 0");
        if (topK < 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k must be ≥ 0 (0 keeps every token)");
        var context = prompt.ToList();
        var generated = new List<int>();
        int v = model.Config.OutputSize;
        var logits = new float[v];
        for (int i = 0; i < maxTokens; i++)
        {
            var window = context.Skip(Math.Max(0, context.Count - model.Config.BlockSize)).ToArray();
            model.Forward(window, [], 1, window.Length);
            model.Logits.Buffer.CopyToHost(logits, model.Logits.Offset + (window.Length - 1) * v);
            int next = Pick(logits, temperature, topK, CounterHash.Mix(seed, (ulong)i));
            if (stop?.Invoke(next) == true) break;
            generated.Add(next);
            context.Add(next);
        }
        return generated.ToArray();
    }

    /// <summary>One draw from softmax(logits / temperature) over the top-k logits, using the uniform from <paramref name="draw"/>.</summary>
    public static int Pick(ReadOnlySpan<float> logits, float temperature, int topK, ulong draw)
    {
        int best = 0;
        for (int j = 1; j < logits.Length; j++)
            if (logits[j] > logits[best]) best = j;
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
