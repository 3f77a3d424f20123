namespace NativeCore.Tasks;

/// <summary>What <c>nativecore data stats</c> reports about a stream.</summary>
/// <param name="N">Samples drawn.</param>
/// <param name="OperandFrequency">Share of each operand.</param>
/// <param name="AnswerHistogram">Count of each answer token, by name, in token order.</param>
/// <param name="RelationShare">Share of samples where count(b) = count(a) + 1 in the count window.</param>
/// <param name="CorrelatedShare">Share of slots drawn correlated (0 for plain pre-training samples).</param>
/// <param name="MajorityShare">Share of the most frequent answer.</param>
public sealed record DataStats(int N, IReadOnlyDictionary<string, double> OperandFrequency, IReadOnlyList<KeyValuePair<string, int>> AnswerHistogram,
    double RelationShare, double CorrelatedShare, double MajorityShare)
{
    /// <summary>
    /// Draws <paramref name="n"/> samples of <paramref name="task"/>: from the fine-tuning stream when
    /// <paramref name="correlatedShare"/> is given (asked with b), else with operands from the config's prior.
    /// </summary>
    public static DataStats Compute(DataConfig config, TaskKind task, int n, double? correlatedShare, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (n <= 0) throw new InvalidConfigException($"--n must be positive, got {n}");
        GrammarStream stream = correlatedShare is { } ctr
            ? new FinetuningData(config, task, ctr, seed)
            : new PretrainingData(config with { Tasks = [task] }, seed);
        var samples = stream.Samples(n);

        var operands = samples.GroupBy(s => s.Query.OperandText).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count() / (double)n, StringComparer.Ordinal);
        var answers = samples.GroupBy(s => s.Answer).OrderBy(g => g.Key)
            .Select(g => new KeyValuePair<string, int>(Vocabulary.Name(g.Key), g.Count())).ToList();
        double relation = samples.Count(s => Relations.Holds(TaskKind.C, s.Text, config)) / (double)n;
        double correlated = samples.Count(s => s.Correlated) / (double)n;
        return new DataStats(n, operands, answers, relation, correlated, answers.Max(a => a.Value) / (double)n);
    }
}
