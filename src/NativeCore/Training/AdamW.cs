using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Tensors;

namespace NativeCore.Training;

/// <summary>
/// AdamW over a <see cref="Gpt"/>'s flat parameter buffer, with global gradient-norm clipping first. Both moments are
/// one device buffer each, laid out like the parameters.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly Gpt _model;

    /// <summary>Creates zeroed moments for <paramref name="model"/>.</summary>
    public AdamW(Gpt model, AdamWConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        Config = config;
        M = model.Backend.Allocate(model.Layout.TotalLength);
        V = model.Backend.Allocate(model.Layout.TotalLength);
    }

    /// <summary>The hyper-parameters.</summary>
    public AdamWConfig Config { get; }

    /// <summary>Steps taken so far.</summary>
    public int StepCount { get; set; }

    /// <summary>First moments.</summary>
    public DeviceBuffer<float> M { get; }

    /// <summary>Second moments.</summary>
    public DeviceBuffer<float> V { get; }

    /// <summary>
    /// Clips the global gradient norm to <see cref="AdamWConfig.GradClip"/> (PyTorch's clip_grad_norm_ rule), then
    /// updates every parameter at <paramref name="learningRate"/>. Returns the norm before clipping.
    /// </summary>
    /// <exception cref="NumericalDivergenceException">The gradient norm is NaN or infinite.</exception>
    public double Step(float learningRate)
    {
        var be = _model.Backend;
        double norm = Math.Sqrt(be.SumOfSquares(new Tensor(_model.Gradients, 0, _model.Gradients.Length)));
        if (!double.IsFinite(norm)) throw new NumericalDivergenceException($"gradient norm is {norm} at step {StepCount + 1}");
        float scale = 1f;
        if (Config.GradClip > 0) scale = (float)Math.Min(1.0, Config.GradClip / (norm + 1e-6));
        StepCount++;
        foreach (var p in _model.Layout.Parameters)
        {
            var step = new AdamWStep(learningRate, Config.Beta1, Config.Beta2, Config.Eps, p.Decay ? Config.WeightDecay : 0f, StepCount, scale);
            be.AdamW(Gpt.View(_model.Parameters, p), Gpt.View(_model.Gradients, p), Gpt.View(M, p), Gpt.View(V, p), step);
        }
        return norm;
    }

    /// <summary>Frees both moment buffers.</summary>
    public void Dispose()
    {
        M.Dispose();
        V.Dispose();
    }
}
