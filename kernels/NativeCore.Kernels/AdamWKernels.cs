using ILGPU;
using ILGPU.Algorithms;

namespace NativeCore.Kernels;

/// <summary>The per-step scalars of AdamW, with the bias corrections already folded in by the host.</summary>
public readonly struct AdamWArgs
{
    /// <summary>Creates the arguments.</summary>
    public AdamWArgs(float beta1, float beta2, float eps, float decay, float stepSize, float bc2Sqrt, float gradScale)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        Decay = decay;
        StepSize = stepSize;
        Bc2Sqrt = bc2Sqrt;
        GradScale = gradScale;
    }

    /// <summary>β1.</summary>
    public float Beta1 { get; }
    /// <summary>β2.</summary>
    public float Beta2 { get; }
    /// <summary>ε.</summary>
    public float Eps { get; }
    /// <summary>1 − lr·wd.</summary>
    public float Decay { get; }
    /// <summary>lr/(1 − β1^t).</summary>
    public float StepSize { get; }
    /// <summary>√(1 − β2^t).</summary>
    public float Bc2Sqrt { get; }
    /// <summary>Clipping factor applied to the gradient.</summary>
    public float GradScale { get; }
}

/// <summary>AdamW, one thread per parameter.</summary>
public static class AdamWKernels
{
    /// <summary>Decoupled decay, both moments and the update, in PyTorch's formula.</summary>
    public static void Step(Index1D i, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v, AdamWArgs a)
    {
        float g = grad[i] * a.GradScale;
        float mi = a.Beta1 * m[i] + (1f - a.Beta1) * g;
        float vi = a.Beta2 * v[i] + (1f - a.Beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] = param[i] * a.Decay - a.StepSize * mi / (XMath.Sqrt(vi) / a.Bc2Sqrt + a.Eps);
    }
}
