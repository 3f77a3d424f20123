using NativeCore.Tensors;

namespace NativeCore.Model;

/// <summary>
/// Decodes one sequence a token at a time with a key-value cache: each layer keeps every earlier position's query,
/// key and value row (after rotary embedding), so a new token costs one row through every linear layer and one
/// query's attention over the cache, instead of the whole context. Start one with <see cref="Gpt.StartDecoding"/>; it holds its own buffers and never touches the
/// model's training activations. The model's weights must not change while it is in use.
/// </summary>
public sealed class KvDecoder : IDisposable
{
    private readonly Gpt _model;

    internal KvDecoder(Gpt model)
    {
        _model = model;
        var cfg = model.Config;
        var be = model.Backend;
        int c = cfg.NEmbd, w = cfg.AttentionWidth, block = cfg.BlockSize;
        Token = be.AllocateInt(1);
        Caches = Enumerable.Range(0, cfg.NLayer).Select(_ => be.Allocate(block * 3 * w)).ToArray();
        Scratch = be.Allocate(2 * c + c + 1 + 1 + 3 * w + block * 3 * w + w + c + cfg.FcRows + cfg.Inner + c + cfg.OutputSize);
        int at = 0;
        Tensor Take(params int[] shape)
        {
            var t = new Tensor(Scratch, at, shape);
            at += t.Length;
            return t;
        }
        X = Take(1, c);
        Resid = Take(1, c);
        Normed = Take(1, c);
        Mean = Take(1);
        Rstd = Take(1);
        QkvRow = Take(1, 3 * w);
        Rotated = Take(block, 3 * w);
        AttnOut = Take(1, w);
        Branch = Take(1, c);
        Fc = Take(1, cfg.FcRows);
        MlpAct = Take(1, cfg.Inner);
        LnF = Take(1, c);
        Logits = Take(1, cfg.OutputSize);
    }

    /// <summary>Tokens decoded so far: the position the next one takes.</summary>
    public int Length { get; internal set; }

    internal DeviceBuffer<int> Token { get; }

    internal DeviceBuffer<float>[] Caches { get; }

    internal DeviceBuffer<float> Scratch { get; }

    internal Tensor X { get; }

    internal Tensor Resid { get; }

    internal Tensor Normed { get; }

    internal Tensor Mean { get; }

    internal Tensor Rstd { get; }

    internal Tensor QkvRow { get; }

    internal Tensor Rotated { get; }

    internal Tensor AttnOut { get; }

    internal Tensor Branch { get; }

    internal Tensor Fc { get; }

    internal Tensor MlpAct { get; }

    internal Tensor LnF { get; }

    internal Tensor Logits { get; }

    /// <summary>
    /// Feeds <paramref name="token"/> at position <see cref="Length"/> and returns the logits there: the same numbers a
    /// full forward pass over the whole context gives at its last position.
    /// </summary>
    /// <exception cref="InvalidOperationException">The context already fills the model's block.</exception>
    public float[] Append(int token) => _model.DecodeStep(this, token);

    /// <summary>Frees the cache and scratch buffers.</summary>
    public void Dispose()
    {
        Token.Dispose();
        foreach (var cache in Caches) cache.Dispose();
        Scratch.Dispose();
    }
}
