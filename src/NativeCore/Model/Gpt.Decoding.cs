using NativeCore.Tensors;

namespace NativeCore.Model;

public sealed partial class Gpt
{
    private DecodeScratch? _decodeScratch;

    /// <summary>Starts decoding one sequence with a key-value cache (see <see cref="KvDecoder"/>).</summary>
    /// <exception cref="InvalidOperationException">The model is not causal.</exception>
    public KvDecoder StartDecoding()
    {
        if (!Config.Causal) throw new InvalidOperationException("cached decoding needs a causal model");
        return new KvDecoder(this);
    }

    /// <summary>
    /// Feeds <paramref name="tokens"/>[i] to <paramref name="sequences"/>[i] at that sequence's next position and
    /// returns each one's logits there. The new rows go through every linear layer together; each attends over its own
    /// cache. The op order is <see cref="Forward"/>'s, so each row gets the numbers a full forward pass over its context
    /// gives at its last position.
    /// </summary>
    /// <exception cref="InvalidOperationException">A sequence's context already fills the block, or belongs to another model.</exception>
    public float[][] Decode(IReadOnlyList<KvDecoder> sequences, ReadOnlySpan<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var cfg = Config;
        int n = sequences.Count, c = cfg.NEmbd, w = cfg.AttentionWidth;
        if (tokens.Length != n) throw new ArgumentException($"expected {n} tokens, got {tokens.Length}");
        if (n == 0) return [];
        foreach (var s in sequences)
        {
            if (s.Model != this) throw new InvalidOperationException("a decoder belongs to another model");
            if (s.Length >= cfg.BlockSize) throw new InvalidOperationException($"the context is full: model.block_size is {cfg.BlockSize}");
        }
        foreach (int token in tokens)
            if ((uint)token >= (uint)cfg.VocabSize) throw new ArgumentException($"token id {token} is outside the vocabulary of {cfg.VocabSize}");
        if (_decodeScratch is null || _decodeScratch.Rows < n)
        {
            _decodeScratch?.Dispose();
            _decodeScratch = new DecodeScratch(_be, cfg, n);
        }
        var d = _decodeScratch;
        Tensor x = DecodeScratch.First(d.X, n), resid = DecodeScratch.First(d.Resid, n), normed = DecodeScratch.First(d.Normed, n);
        Tensor mean = new(d.Mean.Buffer, d.Mean.Offset, n), rstd = new(d.Rstd.Buffer, d.Rstd.Offset, n);
        Tensor qkv = DecodeScratch.First(d.Qkv, n), attnOut = DecodeScratch.First(d.AttnOut, n), branch = DecodeScratch.First(d.Branch, n);
        Tensor fc = DecodeScratch.First(d.Fc, n), mlpAct = DecodeScratch.First(d.MlpAct, n), logits = DecodeScratch.First(d.Logits, n);

        d.Tokens.CopyFromHost(tokens);
        _be.EmbeddingForward(x, d.Tokens, Param("transformer.wte.weight"), null, n, 1, c);
        // Each row sits at its own position, so learned positions are added row by row from the table at that row
        // (x + p equals the embedding op's wte + wpe bit for bit: float addition commutes).
        if (OptionalParam("transformer.wpe.weight") is { } wpe)
            for (int r = 0; r < n; r++) _be.Accumulate(DecodeScratch.Row(x, r), new Tensor(wpe.Buffer, wpe.Offset + sequences[r].Length * c, 1, c));

        for (int l = 0; l < cfg.NLayer; l++)
        {
            string h = $"transformer.h.{l}";
            Linear(qkv, Norm(normed, mean, rstd, x, h + ".ln_1"), h + ".attn.c_attn");
            for (int r = 0; r < n; r++)
            {
                int pos = sequences[r].Length, rows = pos + 1;
                var cached = new Tensor(sequences[r].Caches[l], pos * 3 * w, 1, 3 * w);
                if (UsesRope)
                {
                    // The rotary op turns row p by position p: the new row goes in at row pos of zeros, turns, and is kept.
                    var rotated = DecodeScratch.First(d.Rotated, rows);
                    var at = DecodeScratch.Row(rotated, pos);
                    _be.Fill(rotated, 0f);
                    _be.Copy(at, DecodeScratch.Row(qkv, r));
                    _be.Rope(rotated, 1, rows, w, cfg.NHead, cfg.RopeTheta, inverse: false);
                    _be.Copy(cached, at);
                }
                else
                {
                    _be.Copy(cached, DecodeScratch.Row(qkv, r));
                }
                _be.AttentionDecode(DecodeScratch.Row(attnOut, r), new Tensor(sequences[r].Caches[l], 0, rows, 3 * w), rows, w, cfg.NHead);
            }
            Linear(branch, attnOut, h + ".attn.c_proj");
            _be.Add(resid, x, branch);
            Linear(fc, Norm(normed, mean, rstd, resid, h + ".ln_2"), h + ".mlp.c_fc");
            Activate(mlpAct, fc, n);
            Linear(branch, mlpAct, h + ".mlp.c_proj");
            _be.Add(x, resid, branch);
        }

        _be.Gemm(false, true, n, cfg.OutputSize, c, Norm(normed, mean, rstd, x, "transformer.ln_f"), LmHead(Parameters), 0f, logits);
        foreach (var s in sequences) s.Length++;
        var host = logits.ToArray();
        int v = cfg.OutputSize;
        return Enumerable.Range(0, n).Select(r => host.AsSpan(r * v, v).ToArray()).ToArray();
    }
}
