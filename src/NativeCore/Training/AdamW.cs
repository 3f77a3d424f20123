using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Tensors;

namespace NativeCore.Training;

/// <summary>
/// AdamW over a <see cref="Gpt"/>'s flat parameter buffer, with global gradient-norm clipping first. Both moments are
/// one device buffer each, laid out like the parameters.
/// </summary>
public sealed class AdamW : IOptimizer
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

    /// <inheritdoc/>
    public int StepCount { get; set; }

    /// <summary>First moments.</summary>
    public DeviceBuffer<float> M { get; }

    /// <summary>Second moments.</summary>
    public DeviceBuffer<float> V { get; }

    /// <inheritdoc/>
    public IReadOnlyList<(string Prefix, DeviceBuffer<float> Buffer)> State => [("m.", M), ("v.", V)];

    /// <summary>
    /// Clips the global gradient norm to <see cref="AdamWConfig.GradClip"/> (<see cref="GradientClip"/>), then
    /// updates every parameter at <paramref name="learningRate"/>. Returns the norm before clipping.
    /// </summary>
    /// <exception cref="NumericalDivergenceException">The gradient norm is NaN or infinite.</exception>
    public double Step(float learningRate)
    {
        var be = _model.Backend;
        double norm = GradientClip.Norm(_model, StepCount + 1);
        float scale = GradientClip.Scale(norm, Config.GradClip);
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
