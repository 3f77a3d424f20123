namespace NativeCore.Backends.Cpu;

/// <summary>One fused AdamW pass over a parameter tensor: decay, both moments and the update in a single sweep.</summary>
internal static class CpuAdamW
{
    public static void Step(HostView param, HostView grad, HostView m, HostView v, AdamWStep s)
    {
        float bc1 = 1f - MathF.Pow(s.Beta1, s.Step);
        float bc2Sqrt = MathF.Sqrt(1f - MathF.Pow(s.Beta2, s.Step));
        float stepSize = s.LearningRate / bc1;
        float decay = 1f - s.LearningRate * s.WeightDecay;
        FixedChunks.For(param.Length, (_, st, e) =>
        {
            var p = param.Slice(st, e - st);
            var g = grad.Slice(st, e - st);
            var mv = m.Slice(st, e - st);
            var vv = v.Slice(st, e - st);
            for (int i = 0; i < p.Length; i++)
            {
                float gi = g[i] * s.GradScale;
                float mi = s.Beta1 * mv[i] + (1f - s.Beta1) * gi;
                float vi = s.Beta2 * vv[i] + (1f - s.Beta2) * gi * gi;
                mv[i] = mi;
                vv[i] = vi;
                p[i] = p[i] * decay - stepSize * mi / (MathF.Sqrt(vi) / bc2Sqrt + s.Eps);
            }
        }, 4096);
    }
}
