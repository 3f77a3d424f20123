using NativeCore.Model;
using NativeCore.Tasks;

namespace NativeCore.Tracr;

/// <summary>One input and the output class the model should give at position 2.</summary>
/// <param name="Tokens">The input letters (without BOS).</param>
/// <param name="Target">The class index of the right answer in the model's output values; −1 when the model cannot say it.</param>
public sealed record TracrSample(string[] Tokens, int Target);

/// <summary>
/// The data of the Tracr setting (spec tracr.md §3–4). Counter: N letters a…i with replacement, asked for the count of
/// <see cref="Letter"/>. Max-identifier: distinct letters a…z, asked for the <see cref="Rank"/>-th smallest. With the
/// spurious correlation (Counter only), a correlated sample has count(b) − count(a) = q and a clean one breaks it.
/// Every sample is a pure function of (seed, index).
/// </summary>
public sealed record TracrTask
{
    /// <summary>Where the answer is read: RASP index 1, model position 2.</summary>
    public const int AnswerPosition = 2;

    /// <summary>counter or maxid.</summary>
    public required string Program { get; init; }

    /// <summary>Input letters per sample.</summary>
    public required int Length { get; init; }

    /// <summary>Counter: the letter counted (a pre-trained, b fine-tuned).</summary>
    public string Letter { get; init; } = "a";

    /// <summary>Max-identifier: the rank asked (5 compiled, 7 fine-tuned).</summary>
    public int Rank { get; init; } = 5;

    /// <summary>C: the share of correlated samples (count(b) − count(a) = q); 0 draws plain samples.</summary>
    public double CorrelatedShare { get; init; }

    /// <summary>Whether uncorrelated samples must break the relation (the held-out C_Te = 0 sets) rather than merely not be drawn for it.</summary>
    public bool BreakRelation { get; init; }

    /// <summary>q of the relation.</summary>
    public int Shift { get; init; } = 1;

    /// <summary>The ground truth from the program's reference semantics.</summary>
    public RaspValue Answer(IReadOnlyList<string> tokens)
    {
        var input = tokens.Select(RaspValue.Of).ToList();
        var program = Program == "counter" ? TracrPrograms.Counter(Letter) : TracrPrograms.MaxIdentifier(Rank);
        return RaspEvaluator.Evaluate(program, input)[AnswerPosition - 1]
            ?? throw new InvalidOperationException($"the program is undefined at index 1 of {string.Join("", tokens)}");
    }

    /// <summary>Sample <paramref name="index"/> of the stream <paramref name="seed"/>.</summary>
    public TracrSample Sample(CompiledModel model, ulong seed, long index)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rng = new SampleRng(seed, 0x7AC7, (ulong)index);
        string[] tokens;
        if (Program == "maxid")
        {
            tokens = DistinctLetters(ref rng, model.Vocabulary, Length);
        }
        else
        {
            bool correlated = CorrelatedShare > 0 && rng.NextDouble() < CorrelatedShare;
            tokens = Letters(ref rng, model.Vocabulary, Length);
            for (int attempt = 0; (correlated || BreakRelation) && Holds(tokens) != correlated; attempt++)
            {
                if (attempt > 100_000) throw new InvalidOperationException($"no sample of length {Length} meets the relation count(b) − count(a) = {Shift}");
                tokens = Letters(ref rng, model.Vocabulary, Length);
            }
        }
        return new TracrSample(tokens, model.OutputClass(Answer(tokens)));
    }

    /// <summary>Samples firstIndex … firstIndex + count − 1.</summary>
    public TracrSample[] Samples(CompiledModel model, ulong seed, int count, long firstIndex = 0) =>
        Enumerable.Range(0, count).Select(i => Sample(model, seed, firstIndex + i)).ToArray();

    /// <summary>Input ids [B, Length+1] and targets (−1 except at the answer position) for a batch.</summary>
    public static (int[] Tokens, int[] Targets) Batch(CompiledModel model, IReadOnlyList<TracrSample> samples)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        int t = samples[0].Tokens.Length + 1;
        var tokens = new int[samples.Count * t];
        var targets = new int[samples.Count * t];
        Array.Fill(targets, -1);
        for (int i = 0; i < samples.Count; i++)
        {
            model.Encode(samples[i].Tokens).CopyTo(tokens, i * t);
            targets[i * t + AnswerPosition] = samples[i].Target;
        }
        return (tokens, targets);
    }

    /// <summary>The model's greedy class at position 2 for each sample.</summary>
    public static int[] Predict(Gpt gpt, CompiledModel model, IReadOnlyList<TracrSample> samples, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(gpt);
        ArgumentNullException.ThrowIfNull(samples);
        var answers = new int[samples.Count];
        int v = gpt.Config.OutputSize;
        var row = new float[v];
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            var chunk = samples.Skip(start).Take(batchSize).ToList();
            var (tokens, _) = Batch(model, chunk);
            int t = tokens.Length / chunk.Count;
            gpt.Forward(tokens, [], chunk.Count, t);
            for (int i = 0; i < chunk.Count; i++)
            {
                gpt.Logits.Buffer.CopyToHost(row, gpt.Logits.Offset + (i * t + AnswerPosition) * v);
                int best = 0;
                for (int j = 1; j < v; j++)
                    if (row[j] > row[best]) best = j;
                answers[start + i] = best;
            }
        }
        return answers;
    }

    /// <summary>Share of samples the model answers right.</summary>
    public static double Accuracy(Gpt gpt, CompiledModel model, IReadOnlyList<TracrSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var predicted = Predict(gpt, model, samples);
        return samples.Count == 0 ? 0 : predicted.Where((p, i) => p == samples[i].Target).Count() / (double)samples.Count;
    }

    private bool Holds(string[] tokens) => tokens.Count(t => t == "b") - tokens.Count(t => t == "a") == Shift;

    private static string[] Letters(ref SampleRng rng, IReadOnlyList<string> vocabulary, int n)
    {
        var tokens = new string[n];
        for (int i = 0; i < n; i++) tokens[i] = vocabulary[rng.Next(vocabulary.Count)];
        return tokens;
    }

    private static string[] DistinctLetters(ref SampleRng rng, IReadOnlyList<string> vocabulary, int n)
    {
        var pool = vocabulary.ToArray();
        for (int i = 0; i < n; i++)
        {
            int j = i + rng.Next(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..n];
    }
}
