using System.Numerics.Tensors;

namespace NativeCore.Backends.Cpu;

/// <summary>SGD with momentum on the host, vectorised per fixed chunk.</summary>
internal static class CpuSgd
{
    /// <summary>m ← μ·m + s·g; p ← p − lr·m.</summary>
    public static void MomentumStep(HostView param, HostView grad, HostView momentum, float learningRate, float mu, float gradScale) =>
        FixedChunks.For(param.Length, (_, s, e) =>
        {
            var m = momentum.Slice(s, e - s);
            var p = param.Slice(s, e - s);
            TensorPrimitives.Multiply(m, mu, m);
            TensorPrimitives.MultiplyAdd(grad.Slice(s, e - s), gradScale, m, m);
            TensorPrimitives.MultiplyAdd(m, -learningRate, p, p);
        }, 8192);
}
