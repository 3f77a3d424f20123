namespace NativeCore.Tasks;

/// <summary>
/// Fixed held-out sets (spec §5, §7): for C_Te = 1 the relation holds in every sample, for C_Te = 0 in none. The texts
/// depend only on (task, C_Te, seed), so the same windows are asked with O_PT = a and with O_FT = b.
/// </summary>
public static class TestSets
{
    /// <summary>The paper's default size of a held-out set.</summary>
    public const int DefaultSize = 1024;

    /// <summary>Builds one set.</summary>
    /// <param name="config">Data settings.</param>
    /// <param name="task">C or I.</param>
    /// <param name="correlated">C_Te = 1 when true, 0 when false.</param>
    /// <param name="operand">0 (a, O_PT) or 1 (b, O_FT).</param>
    /// <param name="size">Number of samples.</param>
    /// <param name="seed">Fixes the set.</param>
    public static GrammarSample[] Build(DataConfig config, TaskKind task, bool correlated, int operand, int size = DefaultSize, ulong seed = 20240101)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        ulong stream = 3 + (ulong)task * 2 + (correlated ? 1UL : 0UL);
        var samples = new GrammarSample[size];
        var query = new Query(task, operand);
        for (int i = 0; i < size; i++)
        {
            var rng = new SampleRng(seed, stream << 32, (ulong)i);
            var text = TextSampler.Where(ref rng, config, task, holds: correlated);
            samples[i] = new GrammarSample(query, text, TaskAnswers.AnswerToken(query, text, config), correlated);
        }
        return samples;
    }

    /// <summary>The share of the most frequent answer: what a constant guess would score.</summary>
    public static double MajorityShare(IReadOnlyCollection<GrammarSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return samples.Count == 0 ? 0 : samples.GroupBy(s => s.Answer).Max(g => g.Count()) / (double)samples.Count;
    }
}
