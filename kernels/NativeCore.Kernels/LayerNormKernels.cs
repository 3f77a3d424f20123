using ILGPU;
using ILGPU.Algorithms;

namespace NativeCore.Kernels;

/// <summary>Layer norm over the last dimension; with <c>centered</c> = 0 the mean is taken as 0 (RMSNorm).</summary>
public static class LayerNormKernels
{
    /// <summary>One thread per row: mean, rstd, then out = (x − mean)·rstd·w + b. <paramref name="hasBias"/> and <paramref name="centered"/> are 0 or 1.</summary>
    public static void Forward(Index1D r, ArrayView<float> output, ArrayView<float> mean, ArrayView<float> rstd, ArrayView<float> input,
        ArrayView<float> weight, ArrayView<float> bias, int c, float eps, int hasBias, int centered)
    {
        int o = r * c;
        float m = 0f;
        if (centered != 0)
        {
            for (int j = 0; j < c; j++) m += input[o + j];
            m /= c;
        }
        float v = 0f;
        for (int j = 0; j < c; j++)
        {
            float d = input[o + j] - m;
            v += d * d;
        }
        float s = 1f / XMath.Sqrt(v / c + eps);
        for (int j = 0; j < c; j++)
            output[o + j] = (input[o + j] - m) * s * weight[j] + (hasBias != 0 ? bias[j] : 0f);
        mean[r] = m;
        rstd[r] = s;
    }

    /// <summary>One thread per row: dinput += (dnorm − mean(dnorm) − norm·mean(dnorm·norm))·rstd.</summary>
    public static void BackwardInput(Index1D r, ArrayView<float> dinput, ArrayView<float> dout, ArrayView<float> input, ArrayView<float> weight,
        ArrayView<float> mean, ArrayView<float> rstd, int c, int centered)
    {
        int o = r * c;
        float m = mean[r], s = rstd[r];
        float dnormMean = 0f, dnormNormMean = 0f;
        for (int j = 0; j < c; j++)
        {
            float dnorm = weight[j] * dout[o + j];
            dnormMean += dnorm;
            dnormNormMean += dnorm * (input[o + j] - m) * s;
        }
        dnormMean = centered != 0 ? dnormMean / c : 0f;
        dnormNormMean /= c;
        for (int j = 0; j < c; j++)
        {
            float norm = (input[o + j] - m) * s;
            dinput[o + j] += (weight[j] * dout[o + j] - dnormMean - norm * dnormNormMean) * s;
        }
    }

    /// <summary>One thread per column: dweight += Σ_r dout·norm and dbias += Σ_r dout, rows in order.</summary>
    public static void BackwardParams(Index1D j, ArrayView<float> dweight, ArrayView<float> dbias, ArrayView<float> dout, ArrayView<float> input,
        ArrayView<float> mean, ArrayView<float> rstd, int n, int c, int hasBias)
    {
        float dw = 0f, db = 0f;
        for (int r = 0; r < n; r++)
        {
            float dy = dout[r * c + j];
            dw += dy * (input[r * c + j] - mean[r]) * rstd[r];
            db += dy;
        }
        dweight[j] += dw;
        if (hasBias != 0) dbias[j] += db;
    }
}
