using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Model;

/// <summary>
/// Keeps copies of the hooked activations a caller asked for, as device buffers on the model's backend. Pass one to
/// <see cref="Gpt.Forward"/>; after the call, index it by hook name. Only requested hooks are copied.
/// </summary>
public sealed class ActivationCache : IDisposable
{
    private readonly HashSet<string> _requested;
    private readonly Dictionary<string, Tensor> _values = new(StringComparer.Ordinal);

    /// <summary>Asks for the hooks named in <paramref name="hookNames"/> (see <see cref="HookPoints"/>).</summary>
    public ActivationCache(IEnumerable<string> hookNames) => _requested = new HashSet<string>(hookNames, StringComparer.Ordinal);

    /// <summary>The hook names this cache records.</summary>
    public IReadOnlyCollection<string> Requested => _requested;

    /// <summary>Whether the last forward pass recorded <paramref name="hook"/>.</summary>
    public bool Contains(string hook) => _values.ContainsKey(hook);

    /// <summary>The recorded activation for <paramref name="hook"/>.</summary>
    public Tensor this[string hook] => _values.TryGetValue(hook, out var t)
        ? t
        : throw new KeyNotFoundException($"hook '{hook}' was not recorded; requested: {string.Join(", ", _requested)}");

    /// <summary>Called by the model at each hook point; copies the activation if it was requested.</summary>
    internal void Record(IBackend backend, string hook, Tensor activation)
    {
        if (Slot(backend, hook, activation.Shape) is { } stored) backend.Copy(stored, activation);
    }

    /// <summary>
    /// The tensor of <paramref name="shape"/> that holds <paramref name="hook"/>, for the model to write into directly
    /// (an activation it does not otherwise keep, such as the attention pattern); null when the hook was not requested.
    /// </summary>
    internal Tensor? Slot(IBackend backend, string hook, int[] shape)
    {
        if (!_requested.Contains(hook)) return null;
        int length = shape.Aggregate(1, (x, y) => x * y);
        if (!_values.TryGetValue(hook, out var stored) || stored.Length != length)
        {
            if (_values.TryGetValue(hook, out var old)) old.Buffer.Dispose();
            stored = new Tensor(backend.Allocate(length), 0, shape);
        }
        else if (!stored.Shape.SequenceEqual(shape))
        {
            stored = stored.Reshape(shape);
        }
        _values[hook] = stored;
        return stored;
    }

    /// <summary>Frees every stored buffer.</summary>
    public void Dispose()
    {
        foreach (var t in _values.Values) t.Buffer.Dispose();
        _values.Clear();
    }
}
