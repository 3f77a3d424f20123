using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Tasks;
using NativeCore.Tensors;
using NativeCore.Training;

namespace NativeCore.Analysis;

/// <summary>What a probe predicts from a sample: <c>count:a</c>, <c>count:b</c> (in the count window) or <c>answer</c>.</summary>
public sealed record ProbeTarget(string Name, int Classes, Func<GrammarSample, int> Label)
{
    /// <summary>Parses a target for the data settings.</summary>
    public static ProbeTarget Parse(string spec, DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(data);
        return spec switch
        {
            "count:a" or "count:b" or "count:c" => new ProbeTarget(spec, data.CountWindow + 1, s => TaskAnswers.Count(s.Text, data.CountWindow, spec[^1] - 'a')),
            "answer" => new ProbeTarget(spec, Vocabulary.Size, s => s.Answer),
            _ => throw new InvalidConfigException($"probe target '{spec}' is not count:a, count:b, count:c or answer"),
        };
    }
}

/// <summary>Probe training settings (spec §8): 4K iterations, AdamW at 1e-3, divided by 10 at 2K, 3K and 3.5K.</summary>
public sealed record ProbeConfig(int Iterations = 4000, double LearningRate = 1e-3, int BatchSize = 256, int TrainSamples = 4096, int TestSamples = 1024, ulong Seed = 7)
{
    /// <summary>The step schedule, scaled to the iteration count.</summary>
    public double LearningRateAt(int step) => LearningRate * (step < Iterations / 2 ? 1 : step < Iterations * 3 / 4 ? 0.1 : step < Iterations * 7 / 8 ? 0.01 : 0.001);
}

/// <summary>A probe's accuracy at one hook, beside what always guessing the most frequent class scores.</summary>
/// <param name="Hook">The hook point the features come from.</param>
/// <param name="TrainAccuracy">Accuracy on (up to a test set's worth of) its training samples.</param>
/// <param name="TestAccuracy">Accuracy on held-out samples.</param>
/// <param name="Chance">Share of the most frequent class in the held-out samples.</param>
/// <param name="TestSize">Held-out samples, for the accuracy's interval.</param>
public sealed record ProbeResult(string Hook, double TrainAccuracy, double TestAccuracy, double Chance, int TestSize);

/// <summary>
/// Linear probes on the residual stream at the ART position (spec §8). Features are read through the activation cache
/// once per hook and kept on the device; the probe (one output per class) trains there with the backend's GEMM,
/// cross-entropy and AdamW, with the model frozen.
/// </summary>
public static class Probing
{
    /// <summary>B0 is <c>transformer.embed</c>; B1… are the blocks' resid_post.</summary>
    public static IReadOnlyList<string> Hooks(GptConfig config) =>
        [HookPoints.Embed, .. Enumerable.Range(0, config!.NLayer).Select(HookPoints.ResidPost)];

    /// <summary>The label used in plots: B0, B1, …</summary>
    public static string BlockLabel(int index) => $"B{index}";

    /// <summary>Runs the model once over <paramref name="samples"/> and returns, per hook, the [N, C] features at ART, on the device.</summary>
    public static Dictionary<string, Tensor> Features(Gpt model, DataConfig data, IReadOnlyList<GrammarSample> samples, IReadOnlyList<string> hooks, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(samples);
        int c = model.Config.NEmbd;
        var be = model.Backend;
        var features = hooks.ToDictionary(h => h, _ => new Tensor(be.Allocate(samples.Count * c), 0, samples.Count, c), StringComparer.Ordinal);
        using var cache = new ActivationCache(hooks);
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            var chunk = samples.Skip(start).Take(batchSize).ToArray();
            var batch = Batch.From(chunk, data, LossMask.AnswerOnly);
            model.Forward(batch.Tokens, [], chunk.Length, batch.Time, cache);
            foreach (string hook in hooks)
            {
                var act = cache[hook];
                for (int i = 0; i < chunk.Length; i++)
                    be.Copy(new Tensor(features[hook].Buffer, (start + i) * c, c), new Tensor(act.Buffer, act.Offset + (i * batch.Time + data.ArtPosition) * c, c));
            }
        }
        return features;
    }

    /// <summary>Trains a linear probe on device features and scores it on held-out features.</summary>
    public static ProbeResult Train(IBackend backend, string hook, Tensor trainX, int[] trainY, Tensor testX, int[] testY, int classes, ProbeConfig config)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(trainY);
        ArgumentNullException.ThrowIfNull(testY);
        ArgumentNullException.ThrowIfNull(config);
        int c = trainX.Shape[1], n = trainY.Length, bs = Math.Min(config.BatchSize, n);
        // One buffer for [W (classes×C) | b (classes)], and the same layout for gradients and both moments.
        int wLen = classes * c, total = wLen + classes;
        using var p = backend.Allocate(total);
        using var g = backend.Allocate(total);
        using var m = backend.Allocate(total);
        using var v = backend.Allocate(total);
        using var logits = backend.Allocate(Math.Max(bs, testY.Length) * classes);
        using var dlogitsBuffer = backend.Allocate(bs * classes);
        using var targets = backend.AllocateInt(bs);
        var init = new float[total];
        for (int i = 0; i < wLen; i++) init[i] = (float)(Gaussian.Sample(config.Seed, (ulong)i) / Math.Sqrt(c));
        p.CopyFromHost(init);
        Tensor W(DeviceBuffer<float> b) => new(b, 0, classes, c);
        Tensor Bias(DeviceBuffer<float> b) => new(b, wLen, classes);
        Tensor Logits(int rows, Tensor x)
        {
            var lg = new Tensor(logits, 0, rows, classes);
            backend.Gemm(false, true, rows, classes, c, x, W(p), 0f, lg);
            backend.AddBias(lg, Bias(p), rows, classes);
            return lg;
        }

        var dLogits = new Tensor(dlogitsBuffer, 0, bs, classes);
        for (int step = 0; step < config.Iterations; step++)
        {
            // Samples are i.i.d., so contiguous slices of the cached features are random batches.
            int start = step * bs % Math.Max(1, n - bs + 1);
            var x = new Tensor(trainX.Buffer, trainX.Offset + start * c, bs, c);
            targets.CopyFromHost(trainY.AsSpan(start, bs));
            var lg = Logits(bs, x);
            backend.Fill(new Tensor(g, 0, total), 0f);
            backend.Fill(dLogits, 0f);
            backend.CrossEntropyBackward(dLogits, lg, targets, bs, classes, 1f / bs);
            backend.Gemm(true, false, classes, c, bs, dLogits, x, 1f, W(g));
            backend.BiasBackward(Bias(g), dLogits, bs, classes);
            var stepArgs = new AdamWStep((float)config.LearningRateAt(step), 0.9f, 0.999f, 1e-8f, 0.01f, step + 1, 1f);
            backend.AdamW(new Tensor(p, 0, total), new Tensor(g, 0, total), new Tensor(m, 0, total), new Tensor(v, 0, total), stepArgs);
        }
        double Accuracy(Tensor features, int[] labels)
        {
            int rows = labels.Length, right = 0;
            var host = Logits(rows, features).ToArray();
            for (int r = 0; r < rows; r++)
            {
                int best = 0;
                for (int k = 1; k < classes; k++)
                    if (host[r * classes + k] > host[r * classes + best]) best = k;
                if (best == labels[r]) right++;
            }
            return right / (double)rows;
        }
        var trainSlice = new Tensor(trainX.Buffer, trainX.Offset, Math.Min(n, testY.Length), c);
        double chance = testY.GroupBy(y => y).Max(gr => gr.Count()) / (double)testY.Length;
        return new ProbeResult(hook, Accuracy(trainSlice, trainY[..Math.Min(n, testY.Length)]), Accuracy(testX, testY), chance, testY.Length);
    }
}
