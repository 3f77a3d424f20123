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
    public DecodeScratch(IBackend backend, GptConfig cfg, int rows)
    {
        int c = cfg.NEmbd, w = cfg.AttentionWidth;
        Rows = rows;
        Tokens = backend.AllocateInt(rows);
        Buffer = backend.Allocate(rows * (3 * c + 2 + 3 * w + w + c + cfg.FcRows + cfg.Inner + cfg.OutputSize) + cfg.BlockSize * 3 * w);
        int at = 0;
        Tensor Take(params int[] shape)
        {
            var t = new Tensor(Buffer, at, shape);
            at += t.Length;
            return t;
        }
        X = Take(rows, c);
        Resid = Take(rows, c);
        Normed = Take(rows, c);
        Mean = Take(rows);
        Rstd = Take(rows);
        Qkv = Take(rows, 3 * w);
        AttnOut = Take(rows, w);
        Branch = Take(rows, c);
        Fc = Take(rows, cfg.FcRows);
        MlpAct = Take(rows, cfg.Inner);
        Logits = Take(rows, cfg.OutputSize);
        Rotated = Take(cfg.BlockSize, 3 * w);
    }

    public int Rows { get; }

    public DeviceBuffer<int> Tokens { get; }

    public DeviceBuffer<float> Buffer { get; }

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
        Buffer.Dispose();
    }
}
