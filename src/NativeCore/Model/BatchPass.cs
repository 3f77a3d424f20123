using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Model;

/// <summary>
/// One batch's way through the model: its activations, its tokens and targets on the device, what the last forward
/// pass counted, and the buffer its backward pass writes gradients to. The model's own pass serves
/// <see cref="Gpt.Forward"/> and <see cref="Gpt.Backward"/>; each shard of a sharded training step has one more.
/// </summary>
internal sealed class BatchPass : IDisposable
{
    private readonly bool _ownsGradients;

    /// <summary>Allocates the pass for B×T positions; with <paramref name="gradients"/> null it allocates its own gradient buffer of <paramref name="parameterCount"/> floats.</summary>
    public BatchPass(IBackend backend, GptConfig config, int b, int t, DeviceBuffer<float>? gradients, int parameterCount)
    {
        Acts = new Activations(backend, config, b, t);
        Tokens = backend.AllocateInt(b * t);
        Targets = backend.AllocateInt(b * t);
        _ownsGradients = gradients is null;
        Gradients = gradients ?? backend.Allocate(parameterCount);
    }

    public Activations Acts { get; }
    public DeviceBuffer<int> Tokens { get; }
    public DeviceBuffer<int> Targets { get; }

    /// <summary>Where backward writes the gradients (overwriting them).</summary>
    public DeviceBuffer<float> Gradients { get; }

    public int B => Acts.B;
    public int T => Acts.T;

    /// <summary>Positions with a target (not −1) in the last forward pass.</summary>
    public int ValidTargets { get; set; }

    /// <summary>Whether the last forward pass applied dropout, and with which seed.</summary>
    public bool Dropout { get; set; }
    public ulong DropoutSeed { get; set; }

    public void Dispose()
    {
        Acts.Dispose();
        Tokens.Dispose();
        Targets.Dispose();
        if (_ownsGradients) Gradients.Dispose();
    }
}
