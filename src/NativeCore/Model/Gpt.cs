using NativeCore.Backends;
using NativeCore.Kernels;
using NativeCore.Tensors;

namespace NativeCore.Model;

/// <summary>
/// A minGPT/nanoGPT decoder: token and position embeddings, pre-LayerNorm blocks of causal self-attention and a 4×
/// tanh-GELU MLP, a final LayerNorm and an LM head (untied, or tied to <c>wte</c>). The same code path runs a
/// Tracr-compiled model (no norm, ReLU, non-causal attention, head, MLP and output widths of their own) and a
/// LLaMA-style model (RMSNorm, rotary embeddings, SwiGLU, no biases) through <see cref="GptConfig"/>'s options. Parameters and gradients each live
/// in one flat device buffer with named views; every operation goes through <see cref="IBackend"/>.
/// </summary>
/// <remarks>Usage: <see cref="Forward"/> (with targets, for a loss), then <see cref="Backward"/> for gradients.</remarks>
public sealed partial class Gpt : IDisposable
{
    private readonly IBackend _be;
    private BatchPass? _pass;
    private BatchPass[] _shards = [];

    /// <summary>Creates a model with zeroed parameters; call <see cref="InitializeWeights"/> or load weights next.</summary>
    public Gpt(IBackend backend, GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(config);
        _be = backend;
        Config = config;
        Layout = new ParameterLayout(config);
        Parameters = backend.Allocate(Layout.TotalLength);
        Gradients = backend.Allocate(Layout.TotalLength);
    }

    /// <summary>The model's shape.</summary>
    public GptConfig Config { get; }

    /// <summary>The backend every operation runs on.</summary>
    public IBackend Backend => _be;

    /// <summary>Names, shapes and offsets of the parameters in <see cref="Parameters"/>.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>All parameters, one flat buffer.</summary>
    public DeviceBuffer<float> Parameters { get; }

    /// <summary>All gradients, same layout as <see cref="Parameters"/>.</summary>
    public DeviceBuffer<float> Gradients { get; }

    /// <summary>The logits [B,T,V] of the last forward pass.</summary>
    public Tensor Logits => (_pass ?? throw new InvalidOperationException("no forward pass has run")).Acts.Logits;

    /// <summary>The logits at <paramref name="position"/> of sequence <paramref name="sequence"/> in the last forward pass.</summary>
    public float[] LogitsAt(int sequence, int position)
    {
        var a = _pass?.Acts ?? throw new InvalidOperationException("no forward pass has run");
        if ((uint)sequence >= (uint)a.B || (uint)position >= (uint)a.T) throw new ArgumentOutOfRangeException(nameof(position), $"({sequence}, {position}) is outside the last batch [{a.B}, {a.T}]");
        int v = Config.OutputSize;
        var row = new float[v];
        a.Logits.Buffer.CopyToHost(row, a.Logits.Offset + (sequence * a.T + position) * v);
        return row;
    }

    /// <summary>The greedy output at <paramref name="position"/> of sequence <paramref name="sequence"/>: the first highest logit.</summary>
    public int GreedyAt(int sequence, int position) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(LogitsAt(sequence, position));

    /// <summary>A view of the parameter called <paramref name="name"/>.</summary>
    public Tensor Param(string name) => View(Parameters, Layout[name]);

    /// <summary>A view of the gradient of <paramref name="name"/>.</summary>
    public Tensor Grad(string name) => View(Gradients, Layout[name]);

    /// <summary>A view of <paramref name="spec"/> inside any buffer laid out like the parameters.</summary>
    public static Tensor View(DeviceBuffer<float> buffer, ParameterSpec spec) => new(buffer, spec.Offset, spec.Shape);

    /// <summary>minGPT initialisation from a counter-based normal source, so a seed gives the same weights everywhere.</summary>
    public void InitializeWeights(ulong seed)
    {
        var host = new float[Layout.TotalLength];
        double residStd = 0.02 / Math.Sqrt(2.0 * Config.NLayer);
        foreach (var p in Layout.Parameters)
        {
            ulong pseed = CounterHash.Mix(seed, (ulong)p.Offset);
            for (int i = 0; i < p.Length; i++)
            {
                host[p.Offset + i] = p.Init switch
                {
                    ParameterInit.Normal => (float)(0.02 * Gaussian.Sample(pseed, (ulong)i)),
                    ParameterInit.ResidualProjection => (float)(residStd * Gaussian.Sample(pseed, (ulong)i)),
                    ParameterInit.Ones => 1f,
                    _ => 0f,
                };
            }
        }
        Parameters.CopyFromHost(host);
    }

    /// <summary>
    /// Runs the model on tokens [B,T]. With targets [B,T] (−1 = ignored) it returns the mean cross-entropy over the
    /// counted positions, else NaN. <paramref name="training"/> turns dropout on, drawing masks from
    /// <paramref name="dropoutSeed"/>. Hooks requested by <paramref name="cache"/> are copied into it.
    /// </summary>
    public float Forward(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int b, int t, ActivationCache? cache = null, bool training = false, ulong dropoutSeed = 0)
    {
        int valid = CheckBatch(tokens, targets, b, t);
        var pass = _pass = EnsurePass(_pass, b, t, Gradients);
        Upload(pass, tokens, targets, valid);
        double lossSum = ForwardPass(pass, cache, training, dropoutSeed);
        return targets.IsEmpty ? float.NaN : valid == 0 ? 0f : (float)(lossSum / valid);
    }

    /// <summary>
    /// Computes the gradient of the last forward pass's mean loss into <see cref="Gradients"/> (overwriting it).
    /// </summary>
    public void Backward()
    {
        var pass = _pass ?? throw new InvalidOperationException("Backward needs a forward pass with targets first");
        if (pass.ValidTargets == 0) throw new InvalidOperationException("Backward needs a forward pass with at least one target");
        BackwardPass(pass, 1f / pass.ValidTargets);
    }

    /// <summary>
    /// One training pass: forward over tokens and targets [B,T] with dropout seeded by <paramref name="dropoutSeed"/>,
    /// then backward, leaving the gradient of the mean loss in <see cref="Gradients"/>; returns that loss. Where the
    /// backend cuts a step into shards (<see cref="IBackend.TrainingShards"/>), each shard runs its own rows, with its
    /// own dropout stream, into its own gradients, and these are summed in shard order. <see cref="Logits"/> is left
    /// as the last <see cref="Forward"/> set it.
    /// </summary>
    public float TrainStep(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int b, int t, ulong dropoutSeed)
    {
        int shards = _be.TrainingShards(b);
        if (shards <= 1)
        {
            float loss = Forward(tokens, targets, b, t, training: true, dropoutSeed: dropoutSeed);
            Backward();
            return loss;
        }
        if (targets.IsEmpty) throw new ArgumentException("a training step needs targets");
        int valid = CheckBatch(tokens, targets, b, t);
        if (valid == 0) throw new InvalidOperationException("Backward needs a forward pass with at least one target");
        if (_shards.Length != shards) Array.Resize(ref _shards, shards);
        for (int k = 0; k < shards; k++)
        {
            int first = b * k / shards, rows = b * (k + 1) / shards - first;
            var pass = _shards[k] = EnsurePass(_shards[k], rows, t, k == 0 ? Gradients : null);
            Upload(pass, tokens.Slice(first * t, rows * t), targets.Slice(first * t, rows * t), valid: -1);
        }
        var lossSums = new double[shards];
        float scale = 1f / valid;
        _be.RunShards(shards, k =>
        {
            lossSums[k] = ForwardPass(_shards[k], cache: null, training: true, CounterHash.Mix(dropoutSeed, (ulong)k));
            BackwardPass(_shards[k], scale);
        });
        for (int k = 1; k < shards; k++) _be.Accumulate(AllOf(Gradients), AllOf(_shards[k].Gradients));
        double total = 0;
        foreach (double sum in lossSums) total += sum;
        return (float)(total / valid);
    }

    /// <summary>Checks tokens and targets against the model and B×T; returns how many targets count (0 without targets).</summary>
    private int CheckBatch(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int b, int t)
    {
        var cfg = Config;
        if (t > cfg.BlockSize) throw new InvalidConfigException($"sequence length {t} exceeds model.block_size {cfg.BlockSize}");
        if (tokens.Length != b * t) throw new ArgumentException($"expected {b * t} tokens for B={b}, T={t}, got {tokens.Length}");
        foreach (int tok in tokens)
            if ((uint)tok >= (uint)cfg.VocabSize) throw new ArgumentException($"token id {tok} is outside the vocabulary of {cfg.VocabSize}");
        if (targets.IsEmpty) return 0;
        if (targets.Length != b * t) throw new ArgumentException($"expected {b * t} targets, got {targets.Length}");
        int valid = 0;
        foreach (int tg in targets)
        {
            if (tg >= cfg.OutputSize || tg < -1) throw new ArgumentException($"target {tg} is outside [-1, {cfg.OutputSize})");
            if (tg >= 0) valid++;
        }
        return valid;
    }

    /// <summary>Copies a checked batch to the pass's device buffers; <paramref name="valid"/> −1 counts the targets here.</summary>
    private static void Upload(BatchPass pass, ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int valid)
    {
        pass.Tokens.CopyFromHost(tokens);
        if (targets.IsEmpty)
        {
            pass.ValidTargets = 0;
            return;
        }
        if (valid < 0)
        {
            valid = 0;
            foreach (int tg in targets)
                if (tg >= 0) valid++;
        }
        pass.Targets.CopyFromHost(targets);
        pass.ValidTargets = valid;
    }

    /// <summary>The forward pass over the batch in <paramref name="pass"/>; the summed cross-entropy of its counted positions (0 without targets).</summary>
    private double ForwardPass(BatchPass pass, ActivationCache? cache, bool training, ulong dropoutSeed)
    {
        var cfg = Config;
        var a = pass.Acts;
        int b = a.B, t = a.T, n = b * t, c = cfg.NEmbd;
        pass.Dropout = training && cfg.Dropout > 0;
        pass.DropoutSeed = dropoutSeed;

        // Embeddings: x = wte[tokens] + wpe[positions].
        _be.EmbeddingForward(a.Embed, pass.Tokens, Param("transformer.wte.weight"), OptionalParam("transformer.wpe.weight"), b, t, c);
        cache?.Record(_be, HookPoints.Embed, a.Embed);
        Dropout(pass, a.Embed, site: 0);
        Tensor x = a.Embed.Reshape(n, c);

        for (int l = 0; l < cfg.NLayer; l++)
        {
            var blk = a.Blocks[l];
            string h = $"transformer.h.{l}";
            // Attention branch: x + c_proj(attn(ln_1(x))).
            Linear(blk.Qkv, Norm(a.Normed, blk.Ln1Mean, blk.Ln1Rstd, x, h + ".ln_1"), h + ".attn.c_attn");
            if (UsesRope) _be.Rope(blk.Qkv, b, t, cfg.AttentionWidth, cfg.NHead, cfg.RopeTheta, inverse: false);
            _be.AttentionForward(blk.AttnOut, blk.Lse, blk.Qkv, b, t, cfg.AttentionWidth, cfg.NHead, cfg.Causal);
            if (cache?.Slot(_be, HookPoints.AttnPattern(l), [b, cfg.NHead, t, t]) is { } pattern)
                _be.AttentionPattern(pattern, blk.Qkv, blk.Lse, b, t, cfg.AttentionWidth, cfg.NHead, cfg.Causal);
            Linear(a.Branch, blk.AttnOut, h + ".attn.c_proj");
            Dropout(pass, a.Branch, site: 1 + 2 * l);
            _be.Add(blk.Resid2, x, a.Branch);
            // MLP branch: x + c_proj(act(c_fc(ln_2(x)))).
            Linear(blk.Fc, Norm(a.Normed, blk.Ln2Mean, blk.Ln2Rstd, blk.Resid2, h + ".ln_2"), h + ".mlp.c_fc");
            Activate(a.MlpAct, blk.Fc, n);
            Linear(a.Branch, a.MlpAct, h + ".mlp.c_proj");
            Dropout(pass, a.Branch, site: 2 + 2 * l);
            _be.Add(blk.ResidPost, blk.Resid2, a.Branch);
            cache?.Record(_be, HookPoints.ResidPost(l), blk.ResidPost.Reshape(b, t, c));
            x = blk.ResidPost;
        }

        _be.Gemm(false, true, n, cfg.OutputSize, c, Norm(a.LnF, a.LnFMean, a.LnFRstd, x, "transformer.ln_f"), LmHead(Parameters), 0f, a.Logits);
        if (pass.ValidTargets == 0) return 0;
        _be.CrossEntropyForward(a.Losses, a.Logits, pass.Targets, n, cfg.OutputSize);
        return _be.Sum(a.Losses);
    }

    /// <summary>The backward pass of <paramref name="pass"/>'s last forward pass, its losses weighted by <paramref name="lossScale"/>, into the pass's gradients (overwritten).</summary>
    private void BackwardPass(BatchPass pass, float lossScale)
    {
        var a = pass.Acts;
        var grads = pass.Gradients;
        var cfg = Config;
        int b = a.B, t = a.T, n = b * t, c = cfg.NEmbd;
        _be.Fill(AllOf(grads), 0f);

        // Loss → logits → LM head → final LayerNorm.
        int v = cfg.OutputSize;
        Tensor lastResid = cfg.NLayer > 0 ? a.Blocks[^1].ResidPost : a.Embed.Reshape(n, c);
        Zero(a.DLogits);
        _be.CrossEntropyBackward(a.DLogits, a.Logits, pass.Targets, n, v, lossScale);
        _be.Gemm(false, false, n, c, v, a.DLogits, LmHead(Parameters), 0f, a.DLn);
        _be.Gemm(true, false, v, c, n, a.DLogits, cfg.HasNorm ? a.LnF : lastResid, 1f, LmHead(grads));
        Zero(a.DResid);
        NormBackward(grads, a.DResid, a.DLn, lastResid, a.LnFMean, a.LnFRstd, "transformer.ln_f");

        for (int l = cfg.NLayer - 1; l >= 0; l--)
        {
            var blk = a.Blocks[l];
            string h = $"transformer.h.{l}";
            Tensor x = l == 0 ? a.Embed.Reshape(n, c) : a.Blocks[l - 1].ResidPost;
            // MLP branch; DResid holds d(resid_post) and becomes d(resid2). The activation and ln_2's output are
            // rebuilt rather than kept from the forward pass.
            Tensor dMlp = DropoutBackward(pass, a.DResid, a.DBranch, site: 2 + 2 * l);
            Activate(a.MlpAct, blk.Fc, n);
            LinearBackward(grads, a.DMlpAct, dMlp, a.MlpAct, h + ".mlp.c_proj");
            Zero(a.DFc);
            ActivateBackward(a.DFc, blk.Fc, a.DMlpAct, n);
            LinearBackward(grads, a.DLn, a.DFc, Norm(a.Normed, blk.Ln2Mean, blk.Ln2Rstd, blk.Resid2, h + ".ln_2"), h + ".mlp.c_fc");
            NormBackward(grads, a.DResid, a.DLn, blk.Resid2, blk.Ln2Mean, blk.Ln2Rstd, h + ".ln_2");
            // Attention branch; DResid becomes d(x).
            Tensor dAttnProj = DropoutBackward(pass, a.DResid, a.DBranch, site: 1 + 2 * l);
            LinearBackward(grads, a.DAttn, dAttnProj, blk.AttnOut, h + ".attn.c_proj");
            Zero(a.DQkv);
            _be.AttentionBackward(a.DQkv, a.DAttn, blk.Qkv, blk.AttnOut, blk.Lse, b, t, cfg.AttentionWidth, cfg.NHead, cfg.Causal);
            if (UsesRope) _be.Rope(a.DQkv, b, t, cfg.AttentionWidth, cfg.NHead, cfg.RopeTheta, inverse: true);
            LinearBackward(grads, a.DLn, a.DQkv, Norm(a.Normed, blk.Ln1Mean, blk.Ln1Rstd, x, h + ".ln_1"), h + ".attn.c_attn");
            NormBackward(grads, a.DResid, a.DLn, x, blk.Ln1Mean, blk.Ln1Rstd, h + ".ln_1");
        }

        Tensor dEmbed = DropoutBackward(pass, a.DResid, a.DBranch, site: 0);
        _be.EmbeddingBackward(View(grads, Layout["transformer.wte.weight"]), OptionalView(grads, "transformer.wpe.weight"), dEmbed, pass.Tokens, b, t, c);
    }

    /// <summary>Frees parameters, gradients and activations.</summary>
    public void Dispose()
    {
        _pass?.Dispose();
        foreach (var shard in _shards) shard?.Dispose();
        _decodeScratch?.Dispose();
        Parameters.Dispose();
        Gradients.Dispose();
    }

    /// <summary>
    /// <paramref name="pass"/> when it already holds B×T positions, else a new pass for them (the old one freed) whose
    /// gradients go to <paramref name="gradients"/>, or to a buffer of its own when that is null.
    /// </summary>
    private BatchPass EnsurePass(BatchPass? pass, int b, int t, DeviceBuffer<float>? gradients)
    {
        if (pass is { } existing && existing.B == b && existing.T == t) return existing;
        MemoryEstimate.Check(Config, b, t, $"{MemoryEstimate.Describe(Config)} at batch {b}");
        pass?.Dispose();
        return new BatchPass(_be, Config, b, t, gradients, Layout.TotalLength);
    }

    private Tensor LmHead(DeviceBuffer<float> buffer) =>
        View(buffer, Layout[Config.TiedEmbeddings ? "transformer.wte.weight" : "lm_head.weight"]);

    private static Tensor AllOf(DeviceBuffer<float> buffer) => new(buffer, 0, buffer.Length);

    private Tensor? OptionalParam(string name) => Layout.Contains(name) ? Param(name) : null;

    private Tensor? OptionalView(DeviceBuffer<float> buffer, string name) => Layout.Contains(name) ? View(buffer, Layout[name]) : null;

    private void Zero(Tensor t) => _be.Fill(t, 0f);

    /// <summary>out [N,OC] = inp [N,IC] · Wᵀ + b.</summary>
    private void Linear(Tensor output, Tensor input, string prefix)
    {
        var w = Param(prefix + ".weight");
        int outF = w.Shape[0], inF = w.Shape[1], n = input.Length / inF;
        _be.Gemm(false, true, n, outF, inF, input, w, 0f, output);
        if (OptionalParam(prefix + ".bias") is { } bias) _be.AddBias(output, bias, n, outF);
    }

    /// <summary>
    /// dinput ← dout·W (overwritten: beta 0, so no buffer is zero-filled first); the weight and bias gradients accumulate.
    /// </summary>
    private void LinearBackward(DeviceBuffer<float> grads, Tensor dinput, Tensor dout, Tensor input, string prefix)
    {
        var w = Param(prefix + ".weight");
        int outF = w.Shape[0], inF = w.Shape[1], n = input.Length / inF;
        _be.Gemm(false, false, n, inF, outF, dout, w, 0f, dinput);
        _be.Gemm(true, false, outF, inF, n, dout, input, 1f, View(grads, Layout[prefix + ".weight"]));
        if (OptionalView(grads, prefix + ".bias") is { } db) _be.BiasBackward(db, dout, n, outF);
    }

    private bool UsesRope => Config.Position == PositionKinds.Rope;

    /// <summary>The MLP's nonlinearity: [N,H] → [N,H], or SwiGLU's [N,2H] → [N,H].</summary>
    private void Activate(Tensor output, Tensor input, int n)
    {
        switch (Config.Activation)
        {
            case ActivationKinds.Relu: _be.ReluForward(output, input); break;
            case ActivationKinds.SwiGlu: _be.SwiGluForward(output, input, n, Config.Inner); break;
            default: _be.GeluForward(output, input); break;
        }
    }

    private void ActivateBackward(Tensor dinput, Tensor input, Tensor dout, int n)
    {
        switch (Config.Activation)
        {
            case ActivationKinds.Relu: _be.ReluBackward(dinput, input, dout); break;
            case ActivationKinds.SwiGlu: _be.SwiGluBackward(dinput, input, dout, n, Config.Inner); break;
            default: _be.GeluBackward(dinput, input, dout); break;
        }
    }

    /// <summary>
    /// LayerNorm of <paramref name="input"/> into <paramref name="output"/>, or the input itself in a norm-free model.
    /// Run again in backward on the same input, it rebuilds the same bits (and rewrites the same mean and rstd).
    /// </summary>
    private Tensor Norm(Tensor output, Tensor mean, Tensor rstd, Tensor input, string prefix)
    {
        if (!Config.HasNorm) return input;
        int c = Config.NEmbd;
        _be.LayerNormForward(output, mean, rstd, input, Param(prefix + ".weight"), OptionalParam(prefix + ".bias"), input.Length / c, c, Config.LayerNormEps, Config.Norm == NormKinds.LayerNorm);
        return output;
    }

    /// <summary>dinput += d(norm)/d(input)·dout; in a norm-free model the gradient passes straight through.</summary>
    private void NormBackward(DeviceBuffer<float> grads, Tensor dinput, Tensor dout, Tensor input, Tensor mean, Tensor rstd, string prefix)
    {
        if (!Config.HasNorm)
        {
            _be.Accumulate(dinput, dout);
            return;
        }
        int c = Config.NEmbd;
        _be.LayerNormBackward(dinput, View(grads, Layout[prefix + ".weight"]), OptionalView(grads, prefix + ".bias"), dout, input, Param(prefix + ".weight"), mean, rstd, input.Length / c, c, Config.Norm == NormKinds.LayerNorm);
    }

    private static ulong SiteSeed(BatchPass pass, int site) => CounterHash.Mix(pass.DropoutSeed, (ulong)site);

    private void Dropout(BatchPass pass, Tensor x, int site)
    {
        if (pass.Dropout) _be.DropoutForward(x, Config.Dropout, SiteSeed(pass, site));
    }

    /// <summary>The gradient behind a dropout site: <paramref name="dout"/> itself when dropout was off, else masked into scratch.</summary>
    private Tensor DropoutBackward(BatchPass pass, Tensor dout, Tensor scratch, int site)
    {
        if (!pass.Dropout) return dout;
        Zero(scratch);
        _be.DropoutBackward(scratch, dout, Config.Dropout, SiteSeed(pass, site));
        return scratch;
    }
}
