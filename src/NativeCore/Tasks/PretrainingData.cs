namespace NativeCore.Tasks;

/// <summary>
/// The pre-training stream (spec §4): fresh samples every step, the task uniform over data.tasks, the operand from the
/// prior (each member of a pair drawn independently), loss on every position but padding.
/// </summary>
public sealed class PretrainingData : GrammarStream
{
    private const ulong Stream = 1;
    private readonly OperandPrior _prior;
    private readonly ulong _seed;

    /// <summary>Creates the stream; <paramref name="seed"/> fixes every batch.</summary>
    public PretrainingData(DataConfig config, ulong seed)
        : base(config, LossMask.AllButPadding)
    {
        _prior = OperandPrior.Parse(config.Prior);
        _seed = seed;
    }

    /// <inheritdoc />
    public override GrammarSample Sample(long step, int index)
    {
        var rng = new SampleRng(_seed, Stream, ((ulong)step << 20) | (uint)index);
        var task = Config.Tasks[rng.Next(Config.Tasks.Length)];
        var query = DrawQuery(ref rng, task, _prior);
        var text = TextSampler.Plain(ref rng, Config);
        return new GrammarSample(query, text, TaskAnswers.AnswerToken(query, text, Config), false);
    }

    /// <summary>A query of <paramref name="task"/> with its operand drawn from <paramref name="prior"/>.</summary>
    public static Query DrawQuery(ref SampleRng rng, TaskKind task, OperandPrior prior)
    {
        ArgumentNullException.ThrowIfNull(prior);
        return task switch
        {
            TaskKind.T => new Query(task, -1),
            TaskKind.CC or TaskKind.IC => new Query(task, prior.Sample(ref rng), prior.Sample(ref rng)),
            _ => new Query(task, prior.Sample(ref rng)),
        };
    }
}
