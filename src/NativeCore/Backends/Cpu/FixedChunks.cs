namespace NativeCore.Backends.Cpu;

/// <summary>
/// Deterministic parallel reductions: work is cut into a fixed number of chunks that does not depend on the
/// machine, each chunk is reduced on its own, and the partial results are combined in chunk order. The same
/// input therefore gives the same bits on 2 cores or 64.
/// </summary>
internal static class FixedChunks
{
    /// <summary>How many chunks a reduction is cut into; fixed so that results do not depend on the core count.</summary>
    public const int Count = 16;

    /// <summary>Splits [0, length) into at most <see cref="Count"/> equal ranges and runs them in parallel.</summary>
    public static void For(int length, Action<int, int, int> body, int minPerChunk = 1024)
    {
        int chunks = Math.Clamp(length / Math.Max(1, minPerChunk), 1, Count);
        if (chunks == 1)
        {
            body(0, 0, length);
            return;
        }
        CpuParallel.For(chunks, i =>
        {
            long start = (long)length * i / chunks, end = (long)length * (i + 1) / chunks;
            body(i, (int)start, (int)end);
        });
    }

    /// <summary>Σ f(range) over fixed ranges, combined in order.</summary>
    public static double Sum(int length, Func<int, int, double> rangeSum)
    {
        var partial = new double[Count];
        For(length, (chunk, start, end) => partial[chunk] = rangeSum(start, end), minPerChunk: 4096);
        double total = 0;
        foreach (double p in partial) total += p;
        return total;
    }

    /// <summary>
    /// Column sums over rows: each fixed row range accumulates into its own zeroed partial of
    /// <paramref name="width"/> floats, and the partials are summed in chunk order into the returned array.
    /// </summary>
    public static float[] ColumnSums(int rows, int width, Action<int, int, float[]> accumulateRows)
    {
        var partials = new float[Count][];
        For(rows, (chunk, start, end) =>
        {
            var partial = new float[width];
            accumulateRows(start, end, partial);
            partials[chunk] = partial;
        }, minPerChunk: 64);
        var total = new float[width];
        foreach (var partial in partials)
        {
            if (partial is null) continue;
            for (int i = 0; i < width; i++) total[i] += partial[i];
        }
        return total;
    }
}
