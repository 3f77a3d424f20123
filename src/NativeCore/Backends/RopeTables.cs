namespace NativeCore.Backends;

/// <summary>
/// The cos and sin tables [T, HS/2] of rotary position embeddings, angle t·θ^(−2i/HS) computed in double, so that the
/// cpu and ILGPU backends rotate by identical float factors.
/// </summary>
internal static class RopeTables
{
    /// <summary>The tables; sin is negated for the inverse rotation.</summary>
    public static (float[] Cos, float[] Sin) Build(int t, int headSize, float theta, bool inverse)
    {
        int half = headSize / 2;
        var cos = new float[t * half];
        var sin = new float[t * half];
        for (int pos = 0; pos < t; pos++)
            for (int i = 0; i < half; i++)
            {
                double angle = pos * Math.Pow(theta, -2.0 * i / headSize);
                cos[pos * half + i] = (float)Math.Cos(angle);
                sin[pos * half + i] = (float)(inverse ? -Math.Sin(angle) : Math.Sin(angle));
            }
        return (cos, sin);
    }
}
