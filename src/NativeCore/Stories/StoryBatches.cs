using NativeCore.Kernels;

namespace NativeCore.Stories;

/// <summary>
/// Training windows cut anywhere in the stream of BOS-separated examples (spec tinystories.md §1). Row r of step s
/// starts in example first + 4·(s·B + r) at an offset drawn from (seed, s, r), and runs on into the next examples, so a
/// batch is a pure function of (seed, step) and rows never share a start.
/// </summary>
internal sealed class StoryBatches(StoryCorpus corpus, DeletionProtocol protocol, ulong seed, long firstExample = 0)
{
    /// <summary>The corpus.</summary>
    public StoryCorpus Corpus { get; } = corpus ?? throw new ArgumentNullException(nameof(corpus));

    /// <summary>The deletion protocol applied to every example.</summary>
    public DeletionProtocol Protocol { get; } = protocol;

    /// <summary>Inputs and next-token targets [B, T] for <paramref name="step"/>.</summary>
    public (int[] Tokens, int[] Targets) Batch(long step, int batchSize, int time)
    {
        var tokens = new int[batchSize * time];
        var targets = new int[batchSize * time];
        for (int r = 0; r < batchSize; r++)
        {
            long row = step * batchSize + r;
            var stream = Corpus.Stream(Protocol, firstExample + 4 * row, 2 * (time + 1));
            ulong h = CounterHash.Mix(CounterHash.Mix(seed, (ulong)step), (ulong)r);
            int offset = (int)(h % (ulong)(stream.Count - time));
            for (int j = 0; j < time; j++)
            {
                tokens[r * time + j] = stream[offset + j];
                targets[r * time + j] = stream[offset + j + 1];
            }
        }
        return (tokens, targets);
    }
}
