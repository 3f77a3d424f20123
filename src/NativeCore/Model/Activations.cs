using NativeCore.Backends;
using NativeCore.Tensors;

namespace NativeCore.Model;

/// <summary>What the backward pass needs from one block's forward pass, for a batch of B×T positions (N = B·T).</summary>
/// <remarks>
/// Only what cannot be cheaply recomputed is kept: the LayerNorm outputs are rebuilt from their inputs and saved
/// statistics, the MLP activation from c_fc's output, and the attention probabilities from qkv and each row's
/// log-sum-exp.
/// </remarks>
internal sealed record BlockActivations(
    Tensor Ln1Mean, Tensor Ln1Rstd,               // [N], [N]
    Tensor Qkv,                                   // [N,3A], A = n_head·head_size
    Tensor Lse,                                   // [B,NH,T] log-sum-exp of each query row's attention logits
    Tensor AttnOut,                               // [N,A] attention output before c_proj
    Tensor Resid2,                                // [N,C] residual after the attention branch
    Tensor Ln2Mean, Tensor Ln2Rstd,               // [N], [N]
    Tensor Fc,                                    // [N,H] c_fc output, H = n_inner ([N,2H] for SwiGLU)
    Tensor ResidPost);                            // [N,C] residual after the block

/// <summary>
/// Every buffer one forward and backward pass needs, for a fixed (B, T), in two arenas allocated once and reused
/// every step. Per-block tensors are the ones backward reads; the rest (normed inputs, the branch outputs, the MLP
/// activation) are shared across blocks and recomputed in backward where needed, since backward visits one block at
/// a time.
/// </summary>
internal sealed class Activations : IDisposable
{
    private readonly TensorArena _forward = new();
    private readonly TensorArena _backward = new();

    public Activations(IBackend backend, GptConfig cfg, int b, int t)
    {
        B = b;
        T = t;
        int n = checked(b * t), c = cfg.NEmbd, v = cfg.OutputSize, attn = cfg.AttentionWidth, inner = cfg.Inner;
        int embed = _forward.Reserve(b, t, c);
        var blocks = new int[cfg.NLayer][];
        for (int l = 0; l < cfg.NLayer; l++)
        {
            blocks[l] =
            [
                _forward.Reserve(n), _forward.Reserve(n),
                _forward.Reserve(n, 3 * attn),
                _forward.Reserve(b, cfg.NHead, t),
                _forward.Reserve(n, attn), _forward.Reserve(n, c),
                _forward.Reserve(n), _forward.Reserve(n),
                _forward.Reserve(n, cfg.FcRows),
                _forward.Reserve(n, c),
            ];
        }
        int normed = _forward.Reserve(n, c), branch = _forward.Reserve(n, c), mlpAct = _forward.Reserve(n, inner);
        int lnf = _forward.Reserve(n, c), lnfMean = _forward.Reserve(n), lnfRstd = _forward.Reserve(n);
        int logits = _forward.Reserve(b, t, v), losses = _forward.Reserve(n);

        int dlogits = _backward.Reserve(n, v), dresid = _backward.Reserve(n, c), dln = _backward.Reserve(n, c);
        int dbranch = _backward.Reserve(n, c), dattn = _backward.Reserve(n, attn), dqkv = _backward.Reserve(n, 3 * attn);
        int dmlpAct = _backward.Reserve(n, inner), dfc = _backward.Reserve(n, cfg.FcRows);

        _forward.Allocate(backend);
        _backward.Allocate(backend);

        Embed = _forward.Get(embed);
        Blocks = blocks.Select(ix => new BlockActivations(
            _forward.Get(ix[0]), _forward.Get(ix[1]), _forward.Get(ix[2]), _forward.Get(ix[3]), _forward.Get(ix[4]),
            _forward.Get(ix[5]), _forward.Get(ix[6]), _forward.Get(ix[7]), _forward.Get(ix[8]), _forward.Get(ix[9]))).ToArray();
        Normed = _forward.Get(normed);
        Branch = _forward.Get(branch);
        MlpAct = _forward.Get(mlpAct);
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
        DMlpAct = _backward.Get(dmlpAct);
        DFc = _backward.Get(dfc);
    }

    public int B { get; }
    public int T { get; }

    /// <summary>Token plus position embedding [B,T,C]; after dropout it is also the residual stream entering block 0.</summary>
    public Tensor Embed { get; }
    public BlockActivations[] Blocks { get; }

    /// <summary>[N,C] shared: the current LayerNorm output (ln_1 or ln_2), forward and when backward rebuilds it.</summary>
    public Tensor Normed { get; }

    /// <summary>[N,C] shared: a branch's c_proj output (and dropout) before it joins the residual stream.</summary>
    public Tensor Branch { get; }

    /// <summary>[N,H] shared: the MLP activation act(c_fc(·)), forward and when backward rebuilds it.</summary>
    public Tensor MlpAct { get; }
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
    public Tensor DMlpAct { get; }
    public Tensor DFc { get; }

    /// <summary>Floats held by the forward and backward arenas.</summary>
    public long Length => _forward.Length + _backward.Length;

    public void Dispose()
    {
        _forward.Dispose();
        _backward.Dispose();
    }
}
