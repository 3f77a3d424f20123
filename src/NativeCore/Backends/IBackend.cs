using NativeCore.Tensors;

namespace NativeCore.Backends;

/// <summary>
/// The tensor operations the model, trainer and analysis tools are built from. Each backend (<c>cpu</c>,
/// <c>reference</c>, and the ILGPU ones) implements all of them, so the model never knows where it runs.
/// </summary>
/// <remarks>
/// Conventions, shared by every implementation:
/// <list type="bullet">
/// <item>Shapes use B (batch), T (time), C (channels), NH (heads), V (vocabulary), N = B·T rows.</item>
/// <item>Forward operations overwrite their outputs. Backward operations <b>accumulate</b> (+=) into every
/// gradient they write, so callers zero gradient buffers once per step.</item>
/// <item>Every operation is deterministic: the same inputs give the same bits, whatever the thread count.</item>
/// </list>
/// </remarks>
public interface IBackend : IDisposable
{
    /// <summary>The name used on the command line (<c>cpu</c>, <c>reference</c>, <c>ilgpu-cpu</c>, <c>cuda</c>…).</summary>
    string Name { get; }

    /// <summary>A human-readable description of the device this backend runs on.</summary>
    string DeviceDescription { get; }

    /// <summary>Allocates a zeroed float buffer.</summary>
    DeviceBuffer<float> Allocate(int length);

    /// <summary>Allocates a zeroed int buffer (token ids, targets).</summary>
    DeviceBuffer<int> AllocateInt(int length);

    /// <summary>Waits until every queued operation has finished (a no-op on synchronous backends).</summary>
    void Synchronize();

    /// <summary>x ← value.</summary>
    void Fill(Tensor x, float value);

    /// <summary>
    /// How many shards a training step over <paramref name="batch"/> sequences is cut into on this backend. Each shard
    /// runs forward and backward over its own rows into its own gradients, and the gradients are summed in shard
    /// order. The count depends on the backend and the batch, never on the machine, so a seed gives the same bits on
    /// any number of cores. One unless a backend gains from more.
    /// </summary>
    int TrainingShards(int batch) => 1;

    /// <summary>Runs <paramref name="shard"/> for 0 … <paramref name="count"/> − 1 (one after another unless a backend runs them side by side).</summary>
    void RunShards(int count, Action<int> shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        for (int k = 0; k < count; k++) shard(k);
    }

    /// <summary>dst ← src (same length).</summary>
    void Copy(Tensor dst, Tensor src);

    /// <summary>
    /// General matrix multiply on row-major matrices: C[m,n] ← op(A)·op(B) + beta·C, where op(A) is [m,k]
    /// (A stored [k,m] when <paramref name="transA"/>) and op(B) is [k,n] (B stored [n,k] when <paramref name="transB"/>).
    /// beta is 0 (overwrite) or 1 (accumulate).
    /// </summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, Tensor a, Tensor b, float beta, Tensor c);

    /// <summary>x[r,c] += bias[c] for x [rows, cols].</summary>
    void AddBias(Tensor x, Tensor bias, int rows, int cols);

    /// <summary>dbias[c] += Σ_r dout[r,c] for dout [rows, cols].</summary>
    void BiasBackward(Tensor dbias, Tensor dout, int rows, int cols);

    /// <summary>out[b,t,:] ← wte[tokens[b,t],:] + wpe[t,:]. out [B,T,C], wte [V,C], wpe [block,C]; a null wpe adds no positions (rotary models).</summary>
    void EmbeddingForward(Tensor output, DeviceBuffer<int> tokens, Tensor wte, Tensor? wpe, int b, int t, int c);

    /// <summary>
    /// dwte[tokens[b,t],:] += dout[b,t,:] and dwpe[t,:] += dout[b,t,:], summed in a fixed order, so the result is
    /// bit-reproducible (no float atomics).
    /// </summary>
    void EmbeddingBackward(Tensor dwte, Tensor? dwpe, Tensor dout, DeviceBuffer<int> tokens, int b, int t, int c);

    /// <summary>
    /// Layer norm over the last dimension: out = (x − mean)·rstd·weight + bias, saving mean [N] and rstd [N] for
    /// the backward pass. x, out [N,C]; <paramref name="bias"/> may be null (bias-free models). When
    /// <paramref name="centered"/> is false the mean is taken as 0: that is RMSNorm, out = x/√(mean(x²) + eps)·weight.
    /// </summary>
    void LayerNormForward(Tensor output, Tensor mean, Tensor rstd, Tensor input, Tensor weight, Tensor? bias, int n, int c, float eps, bool centered);

    /// <summary>Accumulates dinput, dweight and dbias (when not null) from dout, using the saved mean and rstd; <paramref name="centered"/> as in the forward pass.</summary>
    void LayerNormBackward(Tensor dinput, Tensor dweight, Tensor? dbias, Tensor dout, Tensor input, Tensor weight, Tensor mean, Tensor rstd, int n, int c, bool centered);

    /// <summary>
    /// Multi-head self-attention with logits q·k/√(C/NH). qkv [B,T,3C] packs q, k and v; out [B,T,C]; lse [B,NH,T]
    /// receives each query row's log-sum-exp of its logits, the one statistic the backward pass keeps, so that no
    /// [B,NH,T,T] tensor outlives the call. When <paramref name="causal"/>, query i sees keys j ≤ i only.
    /// </summary>
    void AttentionForward(Tensor output, Tensor lse, Tensor qkv, int b, int t, int c, int nh, bool causal);

    /// <summary>
    /// One query's attention for cached decoding: output [1,C] is the attention of row t−1's query over the keys and
    /// values of rows 0…t−1 of one sequence's qkv [t,3C], all of which a causal query at t−1 sees. It equals row t−1
    /// of <see cref="AttentionForward"/> at O(t) cost, where that would redo every row.
    /// </summary>
    void AttentionDecode(Tensor output, Tensor qkv, int t, int c, int nh);

    /// <summary>
    /// The softmax probabilities pattern [B,NH,T,T] = exp(logits − lse), zero above the diagonal when causal, from qkv
    /// and the lse of <see cref="AttentionForward"/>: what the hooks and attention maps read.
    /// </summary>
    void AttentionPattern(Tensor pattern, Tensor qkv, Tensor lse, int b, int t, int c, int nh, bool causal);

    /// <summary>
    /// Accumulates dqkv [B,T,3C] from dout [B,T,C], recomputing the probabilities from qkv and the saved lse; output is
    /// the forward pass's out [B,T,C].
    /// </summary>
    void AttentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor output, Tensor lse, int b, int t, int c, int nh, bool causal);

    /// <summary>out ← GELU(x) with the tanh approximation.</summary>
    void GeluForward(Tensor output, Tensor input);

    /// <summary>dinput += GELU'(x)·dout.</summary>
    void GeluBackward(Tensor dinput, Tensor input, Tensor dout);

    /// <summary>out ← max(0, x).</summary>
    void ReluForward(Tensor output, Tensor input);

    /// <summary>SwiGLU: out[r,j] ← silu(input[r,j])·input[r,H+j]; input [N,2H] holds the gate then the up projection, out [N,H].</summary>
    void SwiGluForward(Tensor output, Tensor input, int n, int h);

    /// <summary>Accumulates dinput [N,2H] from dout [N,H].</summary>
    void SwiGluBackward(Tensor dinput, Tensor input, Tensor dout, int n, int h);

    /// <summary>
    /// Rotary position embedding, in place, on the q and k parts of qkv [B,T,3C] (rotate-half convention, frequencies
    /// θ^(−2i/HS)). With <paramref name="inverse"/> it turns back: applied to dqkv, that is the backward pass, since a
    /// rotation's transpose is its inverse. Unlike the other backward ops it transforms in place rather than accumulating.
    /// </summary>
    void Rope(Tensor qkv, int b, int t, int c, int nh, float theta, bool inverse);

    /// <summary>dinput += (x &gt; 0)·dout.</summary>
    void ReluBackward(Tensor dinput, Tensor input, Tensor dout);

    /// <summary>out ← a + b (the residual connection; its backward is <see cref="Accumulate"/>).</summary>
    void Add(Tensor output, Tensor a, Tensor b);

    /// <summary>dst += src.</summary>
    void Accumulate(Tensor dst, Tensor src);

    /// <summary>
    /// Inverted dropout in place: x[i] ← keep(i) ? x[i]/(1−p) : 0, where keep(i) comes from a counter-based hash of
    /// (seed, i). Every backend computes the same mask for the same seed.
    /// </summary>
    void DropoutForward(Tensor x, float p, ulong seed);

    /// <summary>dinput += keep(i)·dout[i]/(1−p), with the mask of <see cref="DropoutForward"/> for the same seed.</summary>
    void DropoutBackward(Tensor dinput, Tensor dout, float p, ulong seed);

    /// <summary>
    /// Softmax cross-entropy per row: losses[r] ← −log softmax(logits[r])[targets[r]], or 0 where the target is −1.
    /// logits [N,V], losses [N].
    /// </summary>
    void CrossEntropyForward(Tensor losses, Tensor logits, DeviceBuffer<int> targets, int n, int v);

    /// <summary>dlogits[r] += scale·(softmax(logits[r]) − onehot(targets[r])), skipping rows whose target is −1.</summary>
    void CrossEntropyBackward(Tensor dlogits, Tensor logits, DeviceBuffer<int> targets, int n, int v, float scale);

    /// <summary>
    /// output[r] ← Σ_c a[r,c]·b[r,c] for [rows, cols] tensors: per-row dot products (gradient × weight scores of
    /// neurons for pruning; with cols = 1, elementwise products for single weights).
    /// </summary>
    void RowDot(Tensor output, Tensor a, Tensor b, int rows, int cols);

    /// <summary>Σ x², accumulated in double in a fixed order (for global gradient-norm clipping and for the loss).</summary>
    double SumOfSquares(Tensor x);

    /// <summary>Σ x, accumulated in double in a fixed order.</summary>
    double Sum(Tensor x);

    /// <summary>
    /// One AdamW step, PyTorch's formula: p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
    /// p ← p − (lr/(1−β1^t))·m/(√v/√(1−β2^t) + eps), with g = gradScale·grad (gradScale carries the clipping).
    /// </summary>
    void AdamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step);

    /// <summary>
    /// One step of SGD with momentum, PyTorch's formula (no dampening, no weight decay): m ← μ·m + g; p ← p − lr·m,
    /// with g = gradScale·grad (gradScale carries the clipping). The Tracr setting's recipe (spec tracr.md §4).
    /// </summary>
    void SgdMomentum(Tensor param, Tensor grad, Tensor momentum, float learningRate, float mu, float gradScale);
}

/// <summary>The scalars of one AdamW update.</summary>
/// <param name="LearningRate">lr for this step (after the schedule).</param>
/// <param name="Beta1">First-moment decay.</param>
/// <param name="Beta2">Second-moment decay.</param>
/// <param name="Eps">Added to the denominator.</param>
/// <param name="WeightDecay">Decoupled weight decay for this tensor (0 for biases, norms and embeddings).</param>
/// <param name="Step">1-based step count t, for bias correction.</param>
/// <param name="GradScale">Factor applied to every gradient first (global-norm clipping).</param>
public readonly record struct AdamWStep(float LearningRate, float Beta1, float Beta2, float Eps, float WeightDecay, int Step, float GradScale);
