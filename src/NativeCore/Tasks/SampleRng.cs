using NativeCore.Kernels;

namespace NativeCore.Tasks;

/// <summary>
/// A small sequential generator (SplitMix64) for data sampling. Every sample gets its own stream, seeded from
/// (seed, stream, index) through the counter hash, so a batch is a pure function of (seed, step) on any machine and
/// samples can be generated in parallel.
/// </summary>
public struct SampleRng
{
    private ulong _state;

    /// <summary>The stream for sample <paramref name="index"/> of <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public SampleRng(ulong seed, ulong stream, ulong index) => _state = CounterHash.Mix(CounterHash.Mix(seed, stream), index);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>A uniform integer in [0, n).</summary>
    public int Next(int n) => (int)((NextUInt64() >> 33) * (ulong)n >> 31);

    /// <summary>A Fisher–Yates shuffle of <paramref name="items"/> in place, from the last element down.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A fair coin.</summary>
    public bool NextBool() => (NextUInt64() >> 63) != 0;
}
