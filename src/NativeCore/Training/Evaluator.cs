using NativeCore.Model;
using NativeCore.Tasks;

namespace NativeCore.Training;

/// <summary>Accuracy of one held-out set next to what a constant guess would score.</summary>
/// <param name="Name">The set's name, for example <c>C_Te=0 O_PT(a)</c>.</param>
/// <param name="Accuracy">Share of samples whose greedy answer at ART is exactly right.</param>
/// <param name="MajorityShare">Share of the most frequent answer in the set.</param>
/// <param name="Size">Samples in the set.</param>
public sealed record SetAccuracy(string Name, double Accuracy, double MajorityShare, int Size)
{
    /// <summary>Within 2 points of the majority share: a constant answer would do as well.</summary>
    public bool AtBaseline => Math.Abs(Accuracy - MajorityShare) <= 0.02;
}

/// <summary>A named held-out set.</summary>
public sealed record EvalSet(string Name, GrammarSample[] Samples)
{
    /// <summary>Share of the most frequent answer.</summary>
    public double MajorityShare { get; } = TestSets.MajorityShare(Samples);
}

/// <summary>Greedy answers at the ART position (spec §7), batched, without dropout.</summary>
public static class Evaluator
{
    /// <summary>
    /// The four sets of spec §7 for a task (C or I): C_Te ∈ {0, 1} × operand ∈ {a (O_PT), b (O_FT)}. The same windows
    /// are asked with both operands.
    /// </summary>
    public static IReadOnlyList<EvalSet> CorrelationSets(DataConfig data, TaskKind task, int size, ulong seed)
    {
        var sets = new List<EvalSet>();
        foreach (bool correlated in new[] { false, true })
            foreach (int operand in new[] { 0, 1 })
                sets.Add(new EvalSet(SetName(correlated, operand), TestSets.Build(data, task, correlated, operand, size, seed)));
        return sets;
    }

    /// <summary>The canonical set name used in metrics and reports.</summary>
    public static string SetName(bool correlated, int operand) => $"C_Te={(correlated ? 1 : 0)} {(operand == 0 ? "O_PT(a)" : "O_FT(b)")}";

    /// <summary>Held-out samples of each task in <paramref name="data"/>, operands drawn from its prior.</summary>
    public static IReadOnlyList<EvalSet> TaskSets(DataConfig data, int size, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        var sets = new List<EvalSet>();
        foreach (var task in data.Tasks)
        {
            var stream = new PretrainingData(data with { Tasks = [task] }, seed ^ 0x5EED);
            sets.Add(new EvalSet($"task {task}", stream.Samples(size)));
        }
        return sets;
    }

    /// <summary>Scores every set on <paramref name="model"/>.</summary>
    public static IReadOnlyList<SetAccuracy> Evaluate(Gpt model, DataConfig data, IEnumerable<EvalSet> sets, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(sets);
        return sets.Select(s => new SetAccuracy(s.Name, Accuracy(model, data, s.Samples, batchSize), s.MajorityShare, s.Samples.Length)).ToList();
    }

    /// <summary>The greedy answer token at ART for every sample.</summary>
    public static int[] Answers(Gpt model, DataConfig data, IReadOnlyList<GrammarSample> samples, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(samples);
        var answers = new int[samples.Count];
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            var chunk = samples.Skip(start).Take(batchSize).ToArray();
            var batch = Batch.From(chunk, data, LossMask.AnswerOnly);
            model.Forward(batch.Tokens, [], chunk.Length, batch.Time);
            for (int i = 0; i < chunk.Length; i++) answers[start + i] = model.GreedyAt(i, data.ArtPosition);
        }
        return answers;
    }

    /// <summary>Exact-match accuracy of the greedy answers.</summary>
    public static double Accuracy(Gpt model, DataConfig data, IReadOnlyList<GrammarSample> samples, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var answers = Answers(model, data, samples, batchSize);
        int right = 0;
        for (int i = 0; i < answers.Length; i++)
            if (answers[i] == samples[i].Answer) right++;
        return samples.Count == 0 ? 0 : right / (double)samples.Count;
    }
}
