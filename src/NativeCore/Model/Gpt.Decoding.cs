using NativeCore.Tensors;

namespace NativeCore.Model;

public sealed partial class Gpt
{
    /// <summary>Starts decoding one sequence with a key-value cache (see <see cref="KvDecoder"/>).</summary>
    /// <exception cref="InvalidOperationException">The model is not causal.</exception>
    public KvDecoder StartDecoding()
    {
        if (!Config.Causal) throw new InvalidOperationException("cached decoding needs a causal model");
        return new KvDecoder(this);
    }

    /// <summary>
    /// One position of the forward pass, in the same op order as <see cref="Forward"/>: the new row runs through every
    /// linear layer alone, and attends over the cached rows 0…pos.
    /// </summary>
    internal float[] DecodeStep(KvDecoder s, int token)
    {
        var cfg = Config;
        int pos = s.Length, c = cfg.NEmbd, w = cfg.AttentionWidth, rows = pos + 1;
        if (pos >= cfg.BlockSize) throw new InvalidOperationException($"the context is full: model.block_size is {cfg.BlockSize}");
        if ((uint)token >= (uint)cfg.VocabSize) throw new ArgumentException($"token id {token} is outside the vocabulary of {cfg.VocabSize}");
        s.Token.CopyFromHost([token]);
        // Learned positions: the embedding op adds row 0 of the table it is given, so it is given the table from row pos on.
        Tensor? wpe = OptionalParam("transformer.wpe.weight") is { } table ? new Tensor(table.Buffer, table.Offset + pos * c, 1, c) : null;
        _be.EmbeddingForward(s.X, s.Token, Param("transformer.wte.weight"), wpe, 1, 1, c);
        Tensor x = s.X;

        for (int l = 0; l < cfg.NLayer; l++)
        {
            string h = $"transformer.h.{l}";
            var cache = new Tensor(s.Caches[l], 0, rows, 3 * w);
            Linear(s.QkvRow, Norm(s.Normed, s.Mean, s.Rstd, x, h + ".ln_1"), h + ".attn.c_attn");
            var row = new Tensor(s.Caches[l], pos * 3 * w, 1, 3 * w);
            if (UsesRope)
            {
                // The rotary op turns row r by position r: the new row goes in at row pos of zeros, turns, and is kept.
                var rotated = new Tensor(s.Rotated.Buffer, s.Rotated.Offset, rows, 3 * w);
                _be.Fill(rotated, 0f);
                _be.Copy(new Tensor(rotated.Buffer, rotated.Offset + pos * 3 * w, 1, 3 * w), s.QkvRow);
                _be.Rope(rotated, 1, rows, w, cfg.NHead, cfg.RopeTheta, inverse: false);
                _be.Copy(row, new Tensor(rotated.Buffer, rotated.Offset + pos * 3 * w, 1, 3 * w));
            }
            else
            {
                _be.Copy(row, s.QkvRow);
            }
            _be.AttentionDecode(s.AttnOut, cache, rows, w, cfg.NHead);
            Linear(s.Branch, s.AttnOut, h + ".attn.c_proj");
            _be.Add(s.Resid, x, s.Branch);
            Linear(s.Fc, Norm(s.Normed, s.Mean, s.Rstd, s.Resid, h + ".ln_2"), h + ".mlp.c_fc");
            Activate(s.MlpAct, s.Fc, 1);
            Linear(s.Branch, s.MlpAct, h + ".mlp.c_proj");
            _be.Add(s.X, s.Resid, s.Branch);
            x = s.X;
        }

        _be.Gemm(false, true, 1, cfg.OutputSize, c, Norm(s.LnF, s.Mean, s.Rstd, x, "transformer.ln_f"), LmHead(Parameters), 0f, s.Logits);
        s.Length = rows;
        return s.Logits.ToArray();
    }
}
