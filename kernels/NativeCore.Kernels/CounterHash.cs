namespace NativeCore.Kernels;

/// <summary>
/// A stateless counter-based random source: the value for (seed, index) depends on nothing else, so every backend,
/// thread layout and device draws the same dropout mask. Written with plain integer arithmetic so that ILGPU
/// compiles it into kernels unchanged and the CPU backend calls the very same code: this one file is compiled into
/// the kernels (internal there) and into the core library (public), which depends on no kernel or ILGPU assembly.
/// </summary>
#if NATIVECORE_KERNELS
internal
#else
public
#endif
static class CounterHash
{
    /// <summary>The SplitMix64 finaliser of seed ⊕ index·φ: a well-mixed 64-bit value.</summary>
    public static ulong Mix(ulong seed, ulong index)
    {
        ulong z = seed ^ (index * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public static float Uniform(ulong seed, ulong index) => (Mix(seed, index) >> 40) * (1.0f / 16777216.0f);

    /// <summary>The dropout scale for element <paramref name="index"/>: 0 when dropped, 1/(1−p) when kept.</summary>
    public static float DropoutScale(ulong seed, ulong index, float p) => Uniform(seed, index) < p ? 0f : 1f / (1f - p);
}
