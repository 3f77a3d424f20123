using NativeCore.Model;
using NativeCore.Tensors;

namespace NativeCore.Training;

/// <summary>An optimiser of a <see cref="Gpt"/>'s flat parameter buffer, as the training loop and checkpoints see it.</summary>
public interface IOptimizer : IDisposable
{
    /// <summary>Steps taken so far (AdamW's bias correction reads it; checkpoints record it).</summary>
    int StepCount { get; set; }

    /// <summary>Clips the gradient by <see cref="GradientClip"/>, updates every parameter, and returns the norm before clipping.</summary>
    /// <exception cref="NumericalDivergenceException">The gradient norm is NaN or infinite.</exception>
    double Step(float learningRate);

    /// <summary>The state a checkpoint saves, each buffer laid out like the parameters, under a tensor-name prefix.</summary>
    IReadOnlyList<(string Prefix, DeviceBuffer<float> Buffer)> State { get; }
}

/// <summary>The one gradient-clipping rule: PyTorch's <c>clip_grad_norm_</c>, scale = min(1, clip / (norm + 1e-6)).</summary>
public static class GradientClip
{
    /// <summary>The global L2 norm of <paramref name="model"/>'s gradient.</summary>
    /// <exception cref="NumericalDivergenceException">The norm is NaN or infinite.</exception>
    public static double Norm(Gpt model, int step)
    {
        ArgumentNullException.ThrowIfNull(model);
        double norm = Math.Sqrt(model.Backend.SumOfSquares(new Tensor(model.Gradients, 0, model.Gradients.Length)));
        if (!double.IsFinite(norm)) throw new NumericalDivergenceException($"gradient norm is {norm} at step {step}");
        return norm;
    }

    /// <summary>The factor the gradient is multiplied by; a clip of 0 or less turns clipping off.</summary>
    public static float Scale(double norm, double clip) => clip > 0 ? (float)Math.Min(1.0, clip / (norm + 1e-6)) : 1f;
}
