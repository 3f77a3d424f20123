using NativeCore.Kernels;

namespace NativeCore.Reference;

/// <summary>
/// Every operation of <see cref="Backends.IBackend"/> written plainly in double precision: the oracle that tests,
/// benchmarks and the <c>reference</c> backend all use. Clarity over speed; no SIMD, no threads.
/// Semantics (overwrite forward, accumulate backward) are exactly those documented on the interface.
/// </summary>
public static class ReferenceOps
{
    /// <summary>C[m,n] ← op(A)·op(B) + beta·C.</summary>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double beta, Span<double> c)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transA ? a[p * m + i] : a[i * k + p];
                    double bv = transB ? b[j * k + p] : b[p * n + j];
                    s += av * bv;
                }
                c[i * n + j] = s + (beta == 0 ? 0 : beta * c[i * n + j]);
            }
        }
    }

    /// <summary>x[r,c] += bias[c].</summary>
    public static void AddBias(Span<double> x, ReadOnlySpan<double> bias, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) x[r * cols + c] += bias[c];
    }

    /// <summary>dbias[c] += Σ_r dout[r,c].</summary>
    public static void BiasBackward(Span<double> dbias, ReadOnlySpan<double> dout, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) dbias[c] += dout[r * cols + c];
    }

    /// <summary>out[b,t,:] ← wte[tok,:] + wpe[t,:]; an empty <paramref name="wpe"/> adds no positions (rotary models).</summary>
    public static void EmbeddingForward(Span<double> output, ReadOnlySpan<int> tokens, ReadOnlySpan<double> wte, ReadOnlySpan<double> wpe, int bsz, int t, int c)
    {
        for (int i = 0; i < bsz * t; i++)
        {
            int tok = tokens[i], pos = i % t;
            for (int j = 0; j < c; j++) output[i * c + j] = wte[tok * c + j] + (wpe.IsEmpty ? 0 : wpe[pos * c + j]);
        }
    }

    /// <summary>dwte[tok] += dout; dwpe[t] += dout unless <paramref name="dwpe"/> is empty.</summary>
    public static void EmbeddingBackward(Span<double> dwte, Span<double> dwpe, ReadOnlySpan<double> dout, ReadOnlySpan<int> tokens, int bsz, int t, int c)
    {
        for (int i = 0; i < bsz * t; i++)
        {
            int tok = tokens[i], pos = i % t;
            for (int j = 0; j < c; j++)
            {
                dwte[tok * c + j] += dout[i * c + j];
                if (!dwpe.IsEmpty) dwpe[pos * c + j] += dout[i * c + j];
            }
        }
    }

    /// <summary>Layer norm over rows of length c (RMSNorm when not <paramref name="centered"/>: the mean is 0); saves mean and rstd.</summary>
    public static void LayerNormForward(Span<double> output, Span<double> mean, Span<double> rstd, ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> bias, int n, int c, double eps, bool centered)
    {
        for (int r = 0; r < n; r++)
        {
            var x = input.Slice(r * c, c);
            double mu = 0;
            if (centered) foreach (double v in x) mu += v;
            mu /= c;
            double var = 0;
            foreach (double v in x) var += (v - mu) * (v - mu);
            var /= c;
            double rs = 1.0 / Math.Sqrt(var + eps);
            for (int j = 0; j < c; j++)
                output[r * c + j] = (x[j] - mu) * rs * weight[j] + (bias.IsEmpty ? 0 : bias[j]);
            mean[r] = mu;
            rstd[r] = rs;
        }
    }

    /// <summary>Accumulates the layer-norm gradients; <paramref name="dbias"/> may be empty.</summary>
    public static void LayerNormBackward(Span<double> dinput, Span<double> dweight, Span<double> dbias, ReadOnlySpan<double> dout, ReadOnlySpan<double> input, ReadOnlySpan<double> weight, ReadOnlySpan<double> mean, ReadOnlySpan<double> rstd, int n, int c, bool centered)
    {
        for (int r = 0; r < n; r++)
        {
            double dnormMean = 0, dnormNormMean = 0;
            for (int j = 0; j < c; j++)
            {
                double norm = (input[r * c + j] - mean[r]) * rstd[r];
                double dnorm = weight[j] * dout[r * c + j];
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            dnormMean = centered ? dnormMean / c : 0;
            dnormNormMean /= c;
            for (int j = 0; j < c; j++)
            {
                double norm = (input[r * c + j] - mean[r]) * rstd[r];
                double dnorm = weight[j] * dout[r * c + j];
                dinput[r * c + j] += (dnorm - dnormMean - norm * dnormNormMean) * rstd[r];
                dweight[j] += dout[r * c + j] * norm;
                if (!dbias.IsEmpty) dbias[j] += dout[r * c + j];
            }
        }
    }

    /// <summary>
    /// The attention of row t−1's query over rows 0…t−1 of one sequence's qkv [t,3C], per head: softmax(q·kᵀ/√hs)·v.
    /// </summary>
    public static void AttentionDecode(Span<double> output, ReadOnlySpan<double> qkv, int t, int c, int nh)
    {
        int hs = c / nh;
        double scale = 1.0 / Math.Sqrt(hs);
        var scores = new double[t];
        for (int h = 0; h < nh; h++)
        {
            int q = (t - 1) * 3 * c + h * hs;
            for (int j = 0; j < t; j++)
            {
                double s = 0;
                for (int e = 0; e < hs; e++) s += qkv[q + e] * qkv[j * 3 * c + c + h * hs + e];
                scores[j] = s * scale;
            }
            double max = scores.Max(), sum = 0;
            for (int j = 0; j < t; j++) sum += scores[j] = Math.Exp(scores[j] - max);
            for (int e = 0; e < hs; e++)
            {
                double acc = 0;
                for (int j = 0; j < t; j++) acc += scores[j] / sum * qkv[j * 3 * c + 2 * c + h * hs + e];
                output[h * hs + e] = acc;
            }
        }
    }

    /// <summary>
    /// Multi-head attention; pattern [B,NH,T,T] gets the probabilities and lse [B,NH,T] (when not empty) each row's
    /// log-sum-exp of its logits.
    /// </summary>
    public static void AttentionForward(Span<double> output, Span<double> pattern, Span<double> lse, ReadOnlySpan<double> qkv, int bsz, int t, int c, int nh, bool causal)
    {
        int hs = c / nh;
        double scale = 1.0 / Math.Sqrt(hs);
        for (int b = 0; b < bsz; b++)
        for (int h = 0; h < nh; h++)
        for (int i = 0; i < t; i++)
        {
            var row = pattern.Slice(((b * nh + h) * t + i) * t, t);
            int last = causal ? i : t - 1;
            double max = double.NegativeInfinity;
            for (int j = 0; j <= last; j++)
            {
                double s = 0;
                for (int d = 0; d < hs; d++)
                    s += qkv[(b * t + i) * 3 * c + h * hs + d] * qkv[(b * t + j) * 3 * c + c + h * hs + d];
                row[j] = s * scale;
                max = Math.Max(max, row[j]);
            }
            double sum = 0;
            for (int j = 0; j <= last; j++) { row[j] = Math.Exp(row[j] - max); sum += row[j]; }
            if (!lse.IsEmpty) lse[(b * nh + h) * t + i] = max + Math.Log(sum);
            for (int j = 0; j < t; j++) row[j] = j <= last ? row[j] / sum : 0;
            for (int d = 0; d < hs; d++)
            {
                double y = 0;
                for (int j = 0; j <= last; j++) y += row[j] * qkv[(b * t + j) * 3 * c + 2 * c + h * hs + d];
                output[(b * t + i) * c + h * hs + d] = y;
            }
        }
    }

    /// <summary>Accumulates dqkv from dout through the saved pattern.</summary>
    public static void AttentionBackward(Span<double> dqkv, ReadOnlySpan<double> dout, ReadOnlySpan<double> qkv, ReadOnlySpan<double> pattern, int bsz, int t, int c, int nh, bool causal)
    {
        int hs = c / nh;
        double scale = 1.0 / Math.Sqrt(hs);
        var dp = new double[t];
        for (int b = 0; b < bsz; b++)
        for (int h = 0; h < nh; h++)
        for (int i = 0; i < t; i++)
        {
            var p = pattern.Slice(((b * nh + h) * t + i) * t, t);
            int qi = (b * t + i) * 3 * c + h * hs;
            int oi = (b * t + i) * c + h * hs;
            int last = causal ? i : t - 1;
            double dot = 0;
            for (int j = 0; j <= last; j++)
            {
                int vj = (b * t + j) * 3 * c + 2 * c + h * hs;
                double s = 0;
                for (int d = 0; d < hs; d++)
                {
                    s += dout[oi + d] * qkv[vj + d];
                    dqkv[vj + d] += p[j] * dout[oi + d];
                }
                dp[j] = s;
                dot += p[j] * s;
            }
            for (int j = 0; j <= last; j++)
            {
                double ds = p[j] * (dp[j] - dot) * scale;
                int kj = (b * t + j) * 3 * c + c + h * hs;
                for (int d = 0; d < hs; d++)
                {
                    dqkv[qi + d] += ds * qkv[kj + d];
                    dqkv[kj + d] += ds * qkv[qi + d];
                }
            }
        }
    }

    /// <summary>out[r,j] ← silu(g)·u with g = input[r,j], u = input[r,H+j]; input [N,2H], out [N,H].</summary>
    public static void SwiGluForward(Span<double> output, ReadOnlySpan<double> input, int n, int h)
    {
        for (int r = 0; r < n; r++)
            for (int j = 0; j < h; j++)
            {
                double g = input[r * 2 * h + j], u = input[r * 2 * h + h + j];
                output[r * h + j] = g / (1 + Math.Exp(-g)) * u;
            }
    }

    /// <summary>dg += dout·u·silu'(g), du += dout·silu(g).</summary>
    public static void SwiGluBackward(Span<double> dinput, ReadOnlySpan<double> input, ReadOnlySpan<double> dout, int n, int h)
    {
        for (int r = 0; r < n; r++)
            for (int j = 0; j < h; j++)
            {
                double g = input[r * 2 * h + j], u = input[r * 2 * h + h + j], sig = 1 / (1 + Math.Exp(-g)), dy = dout[r * h + j];
                dinput[r * 2 * h + j] += dy * u * sig * (1 + g * (1 - sig));
                dinput[r * 2 * h + h + j] += dy * g * sig;
            }
    }

    /// <summary>
    /// Rotary position embedding of q and k in qkv [B,T,3C] with NH heads, in place, rotate-half convention: in each
    /// head, channels i and i + HS/2 turn by the angle t·θ^(−2i/HS). <paramref name="inverse"/> turns back, which is
    /// also the backward pass (a rotation's transpose is its inverse).
    /// </summary>
    public static void Rope(Span<double> qkv, int bsz, int t, int c, int nh, double theta, bool inverse)
    {
        int hs = c / nh, half = hs / 2;
        for (int b = 0; b < bsz; b++)
        for (int pos = 0; pos < t; pos++)
        for (int part = 0; part < 2; part++)
        for (int h = 0; h < nh; h++)
        for (int i = 0; i < half; i++)
        {
            double angle = pos * Math.Pow(theta, -2.0 * i / hs);
            double cos = Math.Cos(angle), sin = inverse ? -Math.Sin(angle) : Math.Sin(angle);
            int o = (b * t + pos) * 3 * c + part * c + h * hs + i;
            double x1 = qkv[o], x2 = qkv[o + half];
            qkv[o] = x1 * cos - x2 * sin;
            qkv[o + half] = x2 * cos + x1 * sin;
        }
    }

    /// <summary>out ← max(0, x).</summary>
    public static void ReluForward(Span<double> output, ReadOnlySpan<double> input)
    {
        for (int i = 0; i < input.Length; i++) output[i] = Math.Max(0, input[i]);
    }

    /// <summary>dinput += (x &gt; 0)·dout.</summary>
    public static void ReluBackward(Span<double> dinput, ReadOnlySpan<double> input, ReadOnlySpan<double> dout)
    {
        for (int i = 0; i < input.Length; i++)
            if (input[i] > 0) dinput[i] += dout[i];
    }

    /// <summary>√(2/π), the tanh-GELU constant.</summary>
    public const double GeluScale = 0.7978845608028654;

    /// <summary>out ← 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public static void GeluForward(Span<double> output, ReadOnlySpan<double> input)
    {
        for (int i = 0; i < input.Length; i++)
        {
            double x = input[i];
            output[i] = 0.5 * x * (1 + Math.Tanh(GeluScale * (x + 0.044715 * x * x * x)));
        }
    }

    /// <summary>dinput += GELU'(x)·dout.</summary>
    public static void GeluBackward(Span<double> dinput, ReadOnlySpan<double> input, ReadOnlySpan<double> dout)
    {
        for (int i = 0; i < input.Length; i++)
        {
            double x = input[i];
            double u = GeluScale * (x + 0.044715 * x * x * x);
            double th = Math.Tanh(u);
            double du = GeluScale * (1 + 3 * 0.044715 * x * x);
            dinput[i] += (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * du) * dout[i];
        }
    }

    /// <summary>output[r] ← Σ_c a[r,c]·b[r,c].</summary>
    public static void RowDot(Span<double> output, ReadOnlySpan<double> a, ReadOnlySpan<double> b, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int c = 0; c < cols; c++) s += a[r * cols + c] * b[r * cols + c];
            output[r] = s;
        }
    }

    /// <summary>In-place inverted dropout with the shared counter hash.</summary>
    public static void DropoutForward(Span<double> x, double p, ulong seed)
    {
        for (int i = 0; i < x.Length; i++) x[i] *= CounterHash.DropoutScale(seed, (ulong)i, (float)p);
    }

    /// <summary>dinput += mask·dout.</summary>
    public static void DropoutBackward(Span<double> dinput, ReadOnlySpan<double> dout, double p, ulong seed)
    {
        for (int i = 0; i < dout.Length; i++) dinput[i] += CounterHash.DropoutScale(seed, (ulong)i, (float)p) * dout[i];
    }

    /// <summary>losses[r] ← −log softmax(logits[r])[target], 0 for target −1.</summary>
    public static void CrossEntropyForward(Span<double> losses, ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int n, int v)
    {
        for (int r = 0; r < n; r++)
        {
            if (targets[r] < 0) { losses[r] = 0; continue; }
            var row = logits.Slice(r * v, v);
            losses[r] = LogSumExp(row) - row[targets[r]];
        }
    }

    /// <summary>dlogits += scale·(softmax − onehot) for rows whose target is not −1.</summary>
    public static void CrossEntropyBackward(Span<double> dlogits, ReadOnlySpan<double> logits, ReadOnlySpan<int> targets, int n, int v, double scale)
    {
        for (int r = 0; r < n; r++)
        {
            if (targets[r] < 0) continue;
            var row = logits.Slice(r * v, v);
            double lse = LogSumExp(row);
            for (int j = 0; j < v; j++)
                dlogits[r * v + j] += scale * (Math.Exp(row[j] - lse) - (j == targets[r] ? 1 : 0));
        }
    }

    /// <summary>m ← μ·m + s·g; p ← p − lr·m.</summary>
    public static void SgdMomentum(Span<double> param, ReadOnlySpan<double> grad, Span<double> momentum, double learningRate, double mu, double gradScale)
    {
        for (int i = 0; i < param.Length; i++)
        {
            momentum[i] = mu * momentum[i] + gradScale * grad[i];
            param[i] -= learningRate * momentum[i];
        }
    }

    /// <summary>One AdamW step in PyTorch's formula (see <see cref="Backends.IBackend.AdamW"/>).</summary>
    public static void AdamW(Span<double> param, ReadOnlySpan<double> grad, Span<double> m, Span<double> v, Backends.AdamWStep s)
    {
        double bc1 = 1 - Math.Pow(s.Beta1, s.Step), bc2 = 1 - Math.Pow(s.Beta2, s.Step);
        for (int i = 0; i < param.Length; i++)
        {
            double g = grad[i] * s.GradScale;
            param[i] *= 1 - (double)s.LearningRate * s.WeightDecay;
            m[i] = s.Beta1 * m[i] + (1 - (double)s.Beta1) * g;
            v[i] = s.Beta2 * v[i] + (1 - (double)s.Beta2) * g * g;
            param[i] -= s.LearningRate / bc1 * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(bc2) + s.Eps);
        }
    }

    private static double LogSumExp(ReadOnlySpan<double> row)
    {
        double max = double.NegativeInfinity;
        foreach (double x in row) max = Math.Max(max, x);
        double sum = 0;
        foreach (double x in row) sum += Math.Exp(x - max);
        return max + Math.Log(sum);
    }
}
