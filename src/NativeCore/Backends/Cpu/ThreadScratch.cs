namespace NativeCore.Backends.Cpu;

/// <summary>
/// Per-thread scratch arrays that grow on demand and are reused, so hot loops allocate nothing: a fresh large array per
/// call would land on the large-object heap, be zeroed, and be collected every time.
/// </summary>
internal static class ThreadScratch
{
    /// <summary>
    /// <paramref name="cached"/> (a [ThreadStatic] field) when it holds at least <paramref name="needed"/> floats, else a
    /// new uninitialized, pinned array stored there. Callers write before they read.
    /// </summary>
    public static float[] Get(ref float[]? cached, int needed)
    {
        if (cached is null || cached.Length < needed) cached = GC.AllocateUninitializedArray<float>(needed, pinned: true);
        return cached;
    }
}
