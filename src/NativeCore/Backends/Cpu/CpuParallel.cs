namespace NativeCore.Backends.Cpu;

/// <summary>
/// The cpu backend's one way to run work items in parallel, and its batch shards. Every op cuts its work into items
/// whose count does not depend on the machine, so running them inline or across threads gives the same bits. A shard
/// that already owns a core runs its ops' items inline: a fork-join per op then costs nothing, and the two cores of a
/// small machine each run one shard instead of meeting at some two hundred barriers per step.
/// </summary>
internal static class CpuParallel
{
    [ThreadStatic]
    private static bool t_inline;

    /// <summary>Runs <paramref name="body"/> for 0 … <paramref name="count"/> − 1, across threads unless this thread runs a shard that owns its core.</summary>
    public static void For(int count, Action<int> body)
    {
        if (t_inline || count <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, body);
    }

    /// <summary>Whether <see cref="For"/> would fork on this thread (callers skip setting up parallel work when it would not).</summary>
    public static bool Forks => !t_inline;

    /// <summary>
    /// Runs the shards 0 … <paramref name="count"/> − 1 in parallel. When there are at least as many shards as cores,
    /// each shard runs its ops inline on its own thread; with more cores, the ops inside a shard fork as usual.
    /// </summary>
    public static void Shards(int count, Action<int> shard)
    {
        bool inline = count >= Environment.ProcessorCount;
        For(count, k =>
        {
            bool outer = t_inline;
            t_inline = outer || inline;
            try
            {
                shard(k);
            }
            finally
            {
                t_inline = outer;
            }
        });
    }
}
