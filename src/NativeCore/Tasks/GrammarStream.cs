namespace NativeCore.Tasks;

/// <summary>
/// A stream of grammar samples that are pure functions of (seed, step, index). Subclasses say how one sample is drawn;
/// batches and bulk draws come from here, so every caller lays samples out the same way.
/// </summary>
public abstract class GrammarStream : IBatchSource
{
    /// <summary>Samples per step when a stream is read in bulk (<see cref="Samples"/>).</summary>
    private const int PerStep = 1024;

    /// <summary>Creates a stream over <paramref name="config"/> (validated).</summary>
    protected GrammarStream(DataConfig config, LossMask mask)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Mask = mask;
    }

    /// <inheritdoc />
    public DataConfig Config { get; }

    /// <summary>Which positions count in the loss.</summary>
    public LossMask Mask { get; init; }

    /// <summary>Sample <paramref name="index"/> of <paramref name="step"/>.</summary>
    public abstract GrammarSample Sample(long step, int index);

    /// <inheritdoc />
    public Batch Batch(long step, int batchSize)
    {
        var samples = new GrammarSample[batchSize];
        for (int i = 0; i < batchSize; i++) samples[i] = Sample(step, i);
        return Tasks.Batch.From(samples, Config, Mask);
    }

    /// <summary>
    /// <paramref name="count"/> samples read as 1,024 per step from <paramref name="firstStep"/> on, drawn in parallel
    /// (each sample depends only on its own (step, index), so the result does not depend on the thread count).
    /// </summary>
    public GrammarSample[] Samples(int count, long firstStep = 0)
    {
        var samples = new GrammarSample[count];
        Parallel.For(0, count, i => samples[i] = Sample(firstStep + i / PerStep, i % PerStep));
        return samples;
    }
}
