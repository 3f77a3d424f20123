namespace NativeCore.Tasks;

/// <summary>A training batch: inputs and targets [B,T] (T = sequence length − 1), with the samples behind them.</summary>
public sealed record Batch(int[] Tokens, int[] Targets, int BatchSize, int Time, GrammarSample[] Samples)
{
    /// <summary>Encodes <paramref name="samples"/> with <paramref name="mask"/>.</summary>
    public static Batch From(GrammarSample[] samples, DataConfig config, LossMask mask)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(config);
        int t = config.SequenceLength - 1;
        var tokens = new int[samples.Length * t];
        var targets = new int[samples.Length * t];
        for (int i = 0; i < samples.Length; i++)
            SequenceFormat.WriteTraining(tokens.AsSpan(i * t, t), targets.AsSpan(i * t, t), samples[i], config, mask);
        return new Batch(tokens, targets, samples.Length, t, samples);
    }
}

/// <summary>A source of batches that are pure functions of (seed, step).</summary>
public interface IBatchSource
{
    /// <summary>The data settings.</summary>
    DataConfig Config { get; }

    /// <summary>The batch for <paramref name="step"/>.</summary>
    Batch Batch(long step, int batchSize);
}
