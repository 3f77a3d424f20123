using NativeCore.Model;
using NativeCore.Tasks;

namespace NativeCore.Tracr;

/// <summary>One input and the output class the model should give at position 2.</summary>
/// <param name="Tokens">The input letters (without BOS).</param>
/// <param name="Target">The class index of the right answer in the model's output values; −1 when the model cannot say it.</param>
internal sealed record TracrSample(string[] Tokens, int Target);

/// <summary>
/// The data of the Tracr setting (spec tracr.md §3–4). Counter: N letters a…i with replacement, asked for the count of a
/// (the compiled capability) or of b (the fine-tuning target). Max-identifier: distinct letters a…z, asked for the 5th
/// smallest (compiled) or the 7th (fine-tuning target). A correlated sample satisfies the q-shift relation: for the
/// Counter count(b) − count(a) = q; for the Max-identifier the 7th smallest letter lies q + 1 letters after the 5th,
/// the smallest shift that distinct letters allow (for q = 1 the 5th, 6th and 7th are consecutive letters), so that
/// "take the compiled answer and shift it" solves correlated data. Every sample is a pure function of (seed, index).
/// </summary>
internal sealed record TracrTask
{
    /// <summary>Where the answer is read: RASP index 1, model position 2.</summary>
    public const int AnswerPosition = 2;

    /// <summary>The Max-identifier's compiled rank.</summary>
    public const int PretrainRank = 5;

    /// <summary>The Max-identifier's fine-tuning rank.</summary>
    public const int FinetuneRank = 7;

    /// <summary>counter or maxid.</summary>
    public required string Program { get; init; }

    /// <summary>Input letters per sample.</summary>
    public required int Length { get; init; }

    /// <summary>Ask for the fine-tuning target (count b, 7th smallest) instead of the compiled capability (count a, 5th smallest).</summary>
    public bool FineTuneTarget { get; init; }

    /// <summary>C: the share of correlated samples; 0 draws plain samples.</summary>
    public double CorrelatedShare { get; init; }

    /// <summary>Whether uncorrelated samples must break the relation (the held-out C_Te = 0 sets) rather than merely not be drawn for it.</summary>
    public bool BreakRelation { get; init; }

    /// <summary>q of the relation.</summary>
    public int Shift { get; set; } = 1;

    /// <summary>The task a compiled model was built for, at its default input length (Counter N, Max-identifier 10 letters).</summary>
    public static TracrTask For(CompiledModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool maxid = model.Program == "maxid";
        return new TracrTask { Program = maxid ? "maxid" : "counter", Length = maxid ? Math.Min(10, model.MaxLength) : model.MaxLength };
    }

    /// <summary>The held-out set name: C_Te, O_PT or O_FT, and what is asked (a, b, 5th, 7th).</summary>
    public string SetName(bool correlated) => SetName(Program, FineTuneTarget, correlated);

    /// <summary>The held-out set name of <paramref name="program"/>, asked for the fine-tuning target or the compiled capability, on correlated or clean inputs.</summary>
    public static string SetName(string program, bool fineTuneTarget, bool correlated) =>
        $"C_Te={(correlated ? 1 : 0)} {(fineTuneTarget ? "O_FT" : "O_PT")}({(program == "maxid" ? (fineTuneTarget ? "7th" : "5th") : (fineTuneTarget ? "b" : "a"))})";

    /// <summary>The ground truth from the program's reference semantics.</summary>
    public RaspValue Answer(IReadOnlyList<string> tokens)
    {
        var input = tokens.Select(RaspValue.Of).ToList();
        var program = Program == "maxid"
            ? TracrPrograms.MaxIdentifier(FineTuneTarget ? FinetuneRank : PretrainRank)
            : TracrPrograms.Counter(FineTuneTarget ? "b" : "a");
        return RaspEvaluator.Evaluate(program, input)[AnswerPosition - 1]
            ?? throw new InvalidOperationException($"the program is undefined at index 1 of {string.Join("", tokens)}");
    }

    /// <summary>Sample <paramref name="index"/> of the stream <paramref name="seed"/>.</summary>
    public TracrSample Sample(CompiledModel model, ulong seed, long index)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rng = new SampleRng(seed, 0x7AC7, (ulong)index);
        bool correlated = CorrelatedShare > 0 && rng.NextDouble() < CorrelatedShare;
        var tokens = Draw(ref rng, model.Vocabulary);
        for (int attempt = 0; (correlated || BreakRelation) && Holds(tokens) != correlated; attempt++)
        {
            if (attempt > 100_000) throw new InvalidOperationException($"no {Program} sample of length {Length} meets the q = {Shift} relation");
            tokens = Draw(ref rng, model.Vocabulary);
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
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            var chunk = samples.Skip(start).Take(batchSize).ToList();
            var (tokens, _) = Batch(model, chunk);
            gpt.Forward(tokens, [], chunk.Count, tokens.Length / chunk.Count);
            for (int i = 0; i < chunk.Count; i++) answers[start + i] = gpt.GreedyAt(i, AnswerPosition);
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

    /// <summary>Whether the q-shift relation holds.</summary>
    public bool Holds(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (Program != "maxid") return tokens.Count(t => t == "b") - tokens.Count(t => t == "a") == Shift;
        var sorted = tokens.Order(StringComparer.Ordinal).ToList();
        return sorted.Count >= FinetuneRank && sorted[FinetuneRank - 1][0] - sorted[PretrainRank - 1][0] == Shift + 1;
    }

    private string[] Draw(ref SampleRng rng, IReadOnlyList<string> vocabulary) =>
        Program == "maxid" ? DistinctLetters(ref rng, vocabulary, Length) : Letters(ref rng, vocabulary, Length);

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
