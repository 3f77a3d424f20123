using ILGPU;

namespace NativeCore.Kernels;

/// <summary>SGD with momentum, one thread per parameter (the Tracr setting's optimizer).</summary>
public static class SgdKernels
{
    /// <summary>m ← μ·m + s·g; p ← p − lr·m.</summary>
    public static void MomentumStep(Index1D i, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> momentum, float learningRate, float mu, float gradScale)
    {
        float m = mu * momentum[i] + gradScale * grad[i];
        momentum[i] = m;
        param[i] -= learningRate * m;
    }
}
