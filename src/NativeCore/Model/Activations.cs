using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Model;

/// <summary>The forward activations of one transformer block, for a batch of B×T positions (N = B·T).</summary>
internal sealed record BlockActivations(
    Tensor Ln1, Tensor Ln1Mean, Tensor Ln1Rstd,   // [N,C], [N], [N]
    Tensor Qkv,                                    // [N,3A], A = n_head·head_size
    Tensor Pattern,                                // [B,NH,T,T]
    Tensor AttnOut,                                // [N,A] attention output before c_proj
    Tensor AttnProj,                               // [N,C] after c_proj (and dropout)
    Tensor Resid2,                                 // [N,C] residual after the attention branch
    Tensor Ln2, Tensor Ln2Mean, Tensor Ln2Rstd,    // [N,C], [N], [N]
    Tensor Fc,                                     // [N,H] c_fc output, H = n_inner ([N,2H] for SwiGLU)
    Tensor FcGelu,                                 // [N,H] after the activation
    Tensor MlpProj,                                // [N,C] after mlp.c_proj (and dropout)
    Tensor ResidPost);                             // [N,C] residual after the block

/// <summary>
/// Every buffer one forward and backward pass needs, for a fixed (B, T), in two arenas allocated once and reused
/// every step. Backward buffers are shared across blocks, since backward visits one block at a time.
/// </summary>
internal sealed class Activations : IDisposable
{
    private readonly TensorArena _forward = new();
    private readonly TensorArena _backward = new();

    public Activations(IBackend backend, GptConfig cfg, int b, int t)
    {
        B = b;
        T = t;
        int n = b * t, c = cfg.NEmbd, v = cfg.OutputSize, attn = cfg.AttentionWidth, inner = cfg.Inner;
        int embed = _forward.Reserve(b, t, c);
        var blocks = new int[cfg.NLayer][];
        for (int l = 0; l < cfg.NLayer; l++)
        {
            blocks[l] =
            [
                _forward.Reserve(n, c), _forward.Reserve(n), _forward.Reserve(n),
                _forward.Reserve(n, 3 * attn),
                _forward.Reserve(b, cfg.NHead, t, t),
                _forward.Reserve(n, attn), _forward.Reserve(n, c), _forward.Reserve(n, c),
                _forward.Reserve(n, c), _forward.Reserve(n), _forward.Reserve(n),
                _forward.Reserve(n, cfg.FcRows), _forward.Reserve(n, inner),
                _forward.Reserve(n, c), _forward.Reserve(n, c),
            ];
        }
        int lnf = _forward.Reserve(n, c), lnfMean = _forward.Reserve(n), lnfRstd = _forward.Reserve(n);
        int logits = _forward.Reserve(b, t, v), losses = _forward.Reserve(n);

        int dlogits = _backward.Reserve(n, v), dresid = _backward.Reserve(n, c), dln = _backward.Reserve(n, c);
        int dbranch = _backward.Reserve(n, c), dattn = _backward.Reserve(n, attn), dqkv = _backward.Reserve(n, 3 * attn);
        int dfcGelu = _backward.Reserve(n, inner), dfc = _backward.Reserve(n, cfg.FcRows);

        _forward.Allocate(backend);
        _backward.Allocate(backend);

        Embed = _forward.Get(embed);
        Blocks = blocks.Select(ix => new BlockActivations(
            _forward.Get(ix[0]), _forward.Get(ix[1]), _forward.Get(ix[2]), _forward.Get(ix[3]), _forward.Get(ix[4]),
            _forward.Get(ix[5]), _forward.Get(ix[6]), _forward.Get(ix[7]), _forward.Get(ix[8]), _forward.Get(ix[9]),
            _forward.Get(ix[10]), _forward.Get(ix[11]), _forward.Get(ix[12]), _forward.Get(ix[13]), _forward.Get(ix[14]))).ToArray();
        LnF = _forward.Get(lnf);
        LnFMean = _forward.Get(lnfMean);
        LnFRstd = _forward.Get(lnfRstd);
        Logits = _forward.Get(logits);
        Losses = _forward.Get(losses);
        DLogits = _backward.Get(dlogits);
        DResid = _backward.Get(dresid);
        DLn = _backward.Get(dln);
        DBranch = _backward.Get(dbranch);
        DAttn = _backward.Get(dattn);
        DQkv = _backward.Get(dqkv);
        DFcGelu = _backward.Get(dfcGelu);
        DFc = _backward.Get(dfc);
    }

    public int B { get; }
    public int T { get; }

    /// <summary>Token plus position embedding [B,T,C]; after dropout it is also the residual stream entering block 0.</summary>
    public Tensor Embed { get; }
    public BlockActivations[] Blocks { get; }
    public Tensor LnF { get; }
    public Tensor LnFMean { get; }
    public Tensor LnFRstd { get; }
    public Tensor Logits { get; }
    public Tensor Losses { get; }

    public Tensor DLogits { get; }
    public Tensor DResid { get; }
    public Tensor DLn { get; }
    public Tensor DBranch { get; }
    public Tensor DAttn { get; }
    public Tensor DQkv { get; }
    public Tensor DFcGelu { get; }
    public Tensor DFc { get; }

    public void Dispose()
    {
        _forward.Dispose();
        _backward.Dispose();
    }
}
