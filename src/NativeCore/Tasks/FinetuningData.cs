namespace NativeCore.Tasks;

/// <summary>
/// The fine-tuning stream (spec §5): the Counter (count b) or the Indexer (index of the n-th b). A slot is correlated
/// with probability C_Tr and then redrawn until the relation holds; an uncorrelated slot takes a plain window, where
/// the relation may still hold at its natural rate. Loss on the answer only.
/// </summary>
public sealed class FinetuningData : GrammarStream
{
    private const ulong Stream = 2;
    private readonly ulong _seed;

    /// <summary>Creates the stream.</summary>
    /// <param name="config">Data settings.</param>
    /// <param name="task">C (counter) or I (indexer).</param>
    /// <param name="correlatedShare">C_Tr in [0, 1].</param>
    /// <param name="seed">Fixes every batch.</param>
    /// <param name="operand">The operand asked (O_FT = b = 1 by default; reFT asks a = 0).</param>
    public FinetuningData(DataConfig config, TaskKind task, double correlatedShare, ulong seed, int operand = 1)
        : base(config, LossMask.AnswerOnly)
    {
        if (task is not (TaskKind.C or TaskKind.I)) throw new InvalidConfigException($"fine-tuning task must be C (counter) or I (indexer), got {task}");
        if (correlatedShare is < 0 or > 1 || double.IsNaN(correlatedShare)) throw new InvalidConfigException($"C_Tr (--ctr) must be in [0, 1], got {correlatedShare}");
        if (operand is < 0 or > 2) throw new InvalidConfigException($"operand must be a, b or c, got {operand}");
        Task = task;
        CorrelatedShare = correlatedShare;
        Operand = operand;
        _seed = seed;
    }

    /// <summary>C or I.</summary>
    public TaskKind Task { get; }

    /// <summary>C_Tr.</summary>
    public double CorrelatedShare { get; }

    /// <summary>The operand asked about.</summary>
    public int Operand { get; }

    /// <inheritdoc />
    public override GrammarSample Sample(long step, int index)
    {
        var rng = new SampleRng(_seed, Stream, ((ulong)step << 20) | (uint)index);
        bool correlated = rng.NextDouble() < CorrelatedShare;
        var text = correlated ? TextSampler.Where(ref rng, Config, Task, holds: true) : TextSampler.Plain(ref rng, Config);
        var query = new Query(Task, Operand);
        return new GrammarSample(query, text, TaskAnswers.AnswerToken(query, text, Config), correlated);
    }
}
