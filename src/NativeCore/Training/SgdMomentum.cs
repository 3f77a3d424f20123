using NativeCore.Model;
using NativeCore.Tensors;

namespace NativeCore.Training;

/// <summary>
/// SGD with heavy-ball momentum (PyTorch's <c>torch.optim.SGD(momentum=μ)</c>, no dampening, no weight decay), the
/// Tracr setting's optimiser: v ← μ·v + g, w ← w − lr·v, after the one clip rule.
/// </summary>
public sealed class SgdMomentum : IOptimizer
{
    private readonly Gpt _model;
    private readonly float _momentum;
    private readonly double _clip;

    /// <summary>Creates a zeroed velocity for <paramref name="model"/>.</summary>
    /// <param name="model">The model it updates.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="gradClip">Global gradient-norm clip; 0 turns it off.</param>
    public SgdMomentum(Gpt model, double momentum, double gradClip)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _momentum = (float)momentum;
        _clip = gradClip;
        Velocity = model.Backend.Allocate(model.Layout.TotalLength);
    }

    /// <summary>The momentum buffer.</summary>
    public DeviceBuffer<float> Velocity { get; }

    /// <inheritdoc/>
    public int StepCount { get; set; }

    /// <inheritdoc/>
    public IReadOnlyList<(string Prefix, DeviceBuffer<float> Buffer)> State => [("momentum.", Velocity)];

    /// <inheritdoc/>
    public double Step(float learningRate)
    {
        double norm = GradientClip.Norm(_model, StepCount + 1);
        StepCount++;
        _model.Backend.SgdMomentum(new Tensor(_model.Parameters, 0, _model.Parameters.Length), new Tensor(_model.Gradients, 0, _model.Gradients.Length),
            new Tensor(Velocity, 0, Velocity.Length), learningRate, _momentum, GradientClip.Scale(norm, _clip));
        return norm;
    }

    /// <summary>Frees the velocity.</summary>
    public void Dispose() => Velocity.Dispose();
}
