using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Model;

/// <summary>
/// One sequence's key-value cache for decoding a token at a time: each layer keeps every earlier position's query,
/// key and value row (after rotary embedding), so a new token costs one row through every linear layer and one
/// query's attention over the cache, instead of the whole context. Start one with <see cref="Gpt.StartDecoding"/>;
/// <see cref="Gpt.Decode"/> advances many of them together, their new rows sharing each linear layer. The model's
/// weights must not change while it is in use.
/// </summary>
public sealed class KvDecoder : IDisposable
{
    private readonly Gpt _model;

    internal KvDecoder(Gpt model)
    {
        _model = model;
        var cfg = model.Config;
        Caches = Enumerable.Range(0, cfg.NLayer).Select(_ => model.Backend.Allocate(cfg.BlockSize * 3 * cfg.AttentionWidth)).ToArray();
    }

    /// <summary>Tokens decoded so far: the position the next one takes.</summary>
    public int Length { get; internal set; }

    internal Gpt Model => _model;

    internal DeviceBuffer<float>[] Caches { get; }

    /// <summary>
    /// Feeds <paramref name="token"/> at position <see cref="Length"/> and returns the logits there: the same numbers a
    /// full forward pass over the whole context gives at its last position.
    /// </summary>
    /// <exception cref="InvalidOperationException">The context already fills the model's block.</exception>
    public float[] Append(int token) => _model.Decode([this], [token])[0];

    /// <summary>Frees the cache.</summary>
    public void Dispose()
    {
        foreach (var cache in Caches) cache.Dispose();
    }
}

/// <summary>The per-row buffers of one <see cref="Gpt.Decode"/> call, for up to <see cref="Rows"/> sequences at once.</summary>
internal sealed class DecodeScratch : IDisposable
{
    private readonly TensorArena _arena = new();

    public DecodeScratch(IBackend backend, GptConfig cfg, int rows)
    {
        int c = cfg.NEmbd, w = cfg.AttentionWidth;
        Rows = rows;
        Tokens = backend.AllocateInt(rows);
        int[] ix =
        [
            _arena.Reserve(rows, c), _arena.Reserve(rows, c), _arena.Reserve(rows, c), _arena.Reserve(rows), _arena.Reserve(rows),
            _arena.Reserve(rows, 3 * w), _arena.Reserve(rows, w), _arena.Reserve(rows, c), _arena.Reserve(rows, cfg.FcRows),
            _arena.Reserve(rows, cfg.Inner), _arena.Reserve(rows, cfg.OutputSize), _arena.Reserve(cfg.BlockSize, 3 * w),
        ];
        _arena.Allocate(backend);
        (X, Resid, Normed, Mean, Rstd) = (_arena.Get(ix[0]), _arena.Get(ix[1]), _arena.Get(ix[2]), _arena.Get(ix[3]), _arena.Get(ix[4]));
        (Qkv, AttnOut, Branch, Fc) = (_arena.Get(ix[5]), _arena.Get(ix[6]), _arena.Get(ix[7]), _arena.Get(ix[8]));
        (MlpAct, Logits, Rotated) = (_arena.Get(ix[9]), _arena.Get(ix[10]), _arena.Get(ix[11]));
    }

    public int Rows { get; }

    public DeviceBuffer<int> Tokens { get; }

    public Tensor X { get; }

    public Tensor Resid { get; }

    public Tensor Normed { get; }

    public Tensor Mean { get; }

    public Tensor Rstd { get; }

    public Tensor Qkv { get; }

    public Tensor AttnOut { get; }

    public Tensor Branch { get; }

    public Tensor Fc { get; }

    public Tensor MlpAct { get; }

    public Tensor Logits { get; }

    public Tensor Rotated { get; }

    /// <summary>The first <paramref name="n"/> rows of <paramref name="t"/>.</summary>
    public static Tensor First(Tensor t, int n) => new(t.Buffer, t.Offset, n, t.Length / t.Shape[0]);

    /// <summary>Row <paramref name="r"/> of <paramref name="t"/>.</summary>
    public static Tensor Row(Tensor t, int r)
    {
        int width = t.Length / t.Shape[0];
        return new Tensor(t.Buffer, t.Offset + r * width, 1, width);
    }

    public void Dispose()
    {
        Tokens.Dispose();
        _arena.Dispose();
    }
}
