namespace NativeCore.Tasks;

/// <summary>Draws individual samples for inspection (<c>nativecore data sample</c>).</summary>
public static class Samples
{
    /// <summary>
    /// <paramref name="n"/> samples of <paramref name="task"/>. The operand is parsed from <paramref name="operand"/>
    /// (a, b, c, a pair, or NULL for T) or, when null, drawn from the config's prior. With
    /// <paramref name="correlated"/> the spurious relation of C or I is forced to hold.
    /// </summary>
    public static IReadOnlyList<GrammarSample> Draw(DataConfig config, TaskKind task, string? operand, bool correlated, int n, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (n <= 0) throw new InvalidConfigException($"--n must be positive, got {n}");
        if (correlated && task is not (TaskKind.C or TaskKind.I)) throw new InvalidConfigException($"--correlated applies to tasks C and I only, not {task}");
        var prior = OperandPrior.Parse(config.Prior);
        var result = new List<GrammarSample>(n);
        for (int i = 0; i < n; i++)
        {
            var rng = new SampleRng(seed, 9, (ulong)i);
            var query = operand is null ? PretrainingData.DrawQuery(ref rng, task, prior) : ParseQuery(task, operand);
            var text = correlated ? TextSampler.Where(ref rng, config, task, holds: true) : TextSampler.Plain(ref rng, config);
            result.Add(new GrammarSample(query, text, TaskAnswers.AnswerToken(query, text, config), correlated));
        }
        return result;
    }

    /// <summary>Parses an operand for <paramref name="task"/>: one letter for C and I, two for CC and IC, NULL for T.</summary>
    public static Query ParseQuery(TaskKind task, string operand)
    {
        ArgumentNullException.ThrowIfNull(operand);
        static int Letter(char c, string whole) => c is >= 'a' and <= 'c' ? c - 'a' : throw new InvalidConfigException($"operand '{whole}': '{c}' is not a, b or c");
        return task switch
        {
            TaskKind.T when operand is "NULL" or "" => new Query(task, -1),
            TaskKind.C or TaskKind.I when operand.Length == 1 => new Query(task, Letter(operand[0], operand)),
            TaskKind.CC or TaskKind.IC when operand.Length == 2 => new Query(task, Letter(operand[0], operand), Letter(operand[1], operand)),
            _ => throw new InvalidConfigException($"operand '{operand}' does not fit task {task} (C, I: one letter; CC, IC: a pair; T: NULL)"),
        };
    }
}
