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
    private readonly IReadOnlyList<ParameterSpec>? _trained;

    /// <summary>Creates a zeroed velocity for <paramref name="model"/>.</summary>
    /// <param name="model">The model it updates.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="gradClip">Global gradient-norm clip; 0 turns it off.</param>
    /// <param name="trained">The parameters it updates, in layout order (null: all); the others stay as they are, and the clip's norm is theirs alone.</param>
    public SgdMomentum(Gpt model, double momentum, double gradClip, IReadOnlyList<ParameterSpec>? trained = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _momentum = (float)momentum;
        _clip = gradClip;
        _trained = trained;
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
        var be = _model.Backend;
        if (_trained is null)
        {
            double norm = GradientClip.Norm(_model, StepCount + 1);
            StepCount++;
            be.SgdMomentum(new Tensor(_model.Parameters, 0, _model.Parameters.Length), new Tensor(_model.Gradients, 0, _model.Gradients.Length),
                new Tensor(Velocity, 0, Velocity.Length), learningRate, _momentum, GradientClip.Scale(norm, _clip));
            return norm;
        }
        double sum = 0;
        foreach (var p in _trained) sum += be.SumOfSquares(Gpt.View(_model.Gradients, p));
        double trainedNorm = Math.Sqrt(sum);
        if (!double.IsFinite(trainedNorm)) throw new NumericalDivergenceException($"gradient norm is {trainedNorm} at step {StepCount + 1}");
        StepCount++;
        float scale = GradientClip.Scale(trainedNorm, _clip);
        foreach (var p in _trained)
            be.SgdMomentum(Gpt.View(_model.Parameters, p), Gpt.View(_model.Gradients, p), Gpt.View(Velocity, p), learningRate, _momentum, scale);
        return trainedNorm;
    }

    /// <summary>Frees the velocity.</summary>
    public void Dispose() => Velocity.Dispose();
}
