namespace NativeCore.Benchmarking;

/// <summary>
/// The one list of ops the workbench times: <c>nativecore bench op</c>, the BenchmarkDotNet op suite and the op
/// workbench tests all read it, so an op added here is benchmarked and tested everywhere.
/// </summary>
/// <remarks>
/// Every <see cref="Backends.IBackend"/> call a training step makes is here, in the order a step makes them. Left out:
/// Fill and Copy (memory moves with no kernel of their own), Sum (the loss, one reduction like
/// <c>sum_of_squares</c>), and RowDot and AttentionPattern, which only the analysis tools call. AttentionDecode is
/// here though no training step calls it: generation does, once per layer and token.
/// </remarks>
internal static class OpRegistry
{
    // minGPT's dropout rate: the value the workbench times, though any p costs the same.
    private const float DropoutP = 0.1f;

    /// <summary>Every op, in the order a training step first calls it.</summary>
    public static IReadOnlyList<OpDefinition> All { get; } =
    [
        new()
        {
            Name = "embedding",
            Description = "EmbeddingForward/Backward: token and position rows gathered into [B,T,C]; backward scatters the gradient into wte and wpe",
            Dims = [OpDim.Batch, OpDim.Seq, OpDim.Embd, OpDim.Vocab],
            Buffers = s => [Tokens("tokens", s.Batch, s.Seq), Rand("wte", s.Vocab, s.Embd), Rand("wpe", s.Seq, s.Embd), Zero("out", s.Batch, s.Seq, s.Embd),
                Rand("dout", s.Batch, s.Seq, s.Embd), Zero("dwte", s.Vocab, s.Embd), Zero("dwpe", s.Seq, s.Embd)],
            Forward = new((be, s, r) => be.EmbeddingForward(r["out"], r.Ints("tokens"), r["wte"], r["wpe"], s.Batch, s.Seq, s.Embd),
                s => OpWork.Moves(3.0 * s.Batch * s.Seq * s.Embd + (double)s.Batch * s.Seq)),
            Backward = new((be, s, r) => be.EmbeddingBackward(r["dwte"], r["dwpe"], r["dout"], r.Ints("tokens"), s.Batch, s.Seq, s.Embd),
                s => OpWork.Moves((double)s.Batch * s.Seq * (s.Embd + 1) + 2.0 * (s.Vocab + s.Seq) * s.Embd)),
        },
        Norm("layernorm", "LayerNormForward/Backward, centred with a bias (minGPT's ln_1, ln_2, ln_f) over [B·T,C]", centered: true),
        Norm("rmsnorm", "LayerNormForward/Backward uncentred without a bias: RMSNorm (the LLaMA-style stories model) over [B·T,C]", centered: false),
        new()
        {
            Name = "gemm",
            Description = "Gemm as a Linear layer calls it: forward y[M,N] = x[M,K]·Wᵀ (W stored [N,K]); backward dx = dy·W and dW += dyᵀ·x",
            Dims = [OpDim.M, OpDim.K, OpDim.N],
            Buffers = s => [Rand("x", s.M, s.K), Rand("w", s.N, s.K), Zero("y", s.M, s.N), Rand("dy", s.M, s.N), Zero("dx", s.M, s.K), Zero("dw", s.N, s.K)],
            Forward = new((be, s, r) => be.Gemm(false, true, s.M, s.N, s.K, r["x"], r["w"], 0f, r["y"]),
                s => new(2.0 * s.M * s.N * s.K, 4.0 * ((double)s.M * s.K + (double)s.N * s.K + (double)s.M * s.N))),
            Backward = new((be, s, r) =>
                {
                    be.Gemm(false, false, s.M, s.K, s.N, r["dy"], r["w"], 0f, r["dx"]);
                    be.Gemm(true, false, s.N, s.K, s.M, r["dy"], r["x"], 1f, r["dw"]);
                },
                s => new(4.0 * s.M * s.N * s.K, 4.0 * (2.0 * s.M * s.N + 3.0 * s.N * s.K + 2.0 * s.M * s.K))),
        },
        new()
        {
            Name = "bias",
            Description = "AddBias/BiasBackward on a Linear layer's output [M,N]: y[r,:] += b; backward db += Σ_r dy[r,:]",
            Dims = [OpDim.M, OpDim.N],
            Buffers = s => [Rand("y", s.M, s.N), Rand("b", s.N), Rand("dy", s.M, s.N), Zero("db", s.N)],
            Forward = new((be, s, r) => be.AddBias(r["y"], r["b"], s.M, s.N), s => OpWork.Moves(2.0 * s.M * s.N + s.N)),
            Backward = new((be, s, r) => be.BiasBackward(r["db"], r["dy"], s.M, s.N), s => OpWork.Moves((double)s.M * s.N + 2.0 * s.N)),
        },
        new()
        {
            Name = "attention",
            Description = "AttentionForward/Backward, causal: qkv [B,T,3C] to out [B,T,C] keeping only each row's log-sum-exp; backward recomputes the probabilities",
            Dims = [OpDim.Batch, OpDim.Seq, OpDim.Embd, OpDim.Heads],
            ShapeProblem = HeadsDivideWidth,
            Buffers = s => [Rand("qkv", s.Batch, s.Seq, 3L * s.Embd), Zero("out", s.Batch, s.Seq, s.Embd), Zero("lse", s.Batch, s.Heads, s.Seq),
                Rand("dout", s.Batch, s.Seq, s.Embd), Zero("dqkv", s.Batch, s.Seq, 3L * s.Embd)],
            Forward = new((be, s, r) => be.AttentionForward(r["out"], r["lse"], r["qkv"], s.Batch, s.Seq, s.Embd, s.Heads, causal: true),
                // q·kᵀ and p·v over the causal triangle of query-key pairs.
                s => new(4.0 * s.Batch * CausalPairs(s) * s.Embd, 4.0 * (4.0 * s.Batch * s.Seq * s.Embd + (double)s.Batch * s.Heads * s.Seq))),
            Backward = new((be, s, r) => be.AttentionBackward(r["dqkv"], r["dout"], r["qkv"], r["out"], r["lse"], s.Batch, s.Seq, s.Embd, s.Heads, causal: true),
                // The logits recomputed, then dP = dO·vᵀ, dv = Pᵀ·dO, dq = dS·k and dk = dSᵀ·q over the same triangle.
                s => new(10.0 * s.Batch * CausalPairs(s) * s.Embd, 4.0 * (11.0 * s.Batch * s.Seq * s.Embd + (double)s.Batch * s.Heads * s.Seq))),
        },
        new()
        {
            Name = "attention_decode",
            Description = "AttentionDecode (cached generation): the last row's query over the T cached rows of one sequence's qkv [T,3C], to out [1,C]; no backward",
            Dims = [OpDim.Seq, OpDim.Embd, OpDim.Heads],
            ShapeProblem = HeadsDivideWidth,
            Buffers = s => [Rand("qkv", s.Seq, 3L * s.Embd), Zero("out", 1, s.Embd)],
            // q·kᵀ and p·v over T keys, reading every cached key and value once.
            Forward = new((be, s, r) => be.AttentionDecode(r["out"], r["qkv"], s.Seq, s.Embd, s.Heads), s => new(4.0 * s.Seq * s.Embd, 4.0 * (2.0 * s.Seq * s.Embd + 2.0 * s.Embd))),
        },
        new()
        {
            Name = "rope",
            Description = "Rope on the q and k parts of qkv [B,T,3C], in place; backward is the inverse rotation of dqkv",
            Dims = [OpDim.Batch, OpDim.Seq, OpDim.Embd, OpDim.Heads],
            ShapeProblem = s => HeadsDivideWidth(s) ?? (s.Embd / s.Heads % 2 != 0 ? $"the head size C/NH ({OpShape.Option(OpDim.Embd)} / {OpShape.Option(OpDim.Heads)}) must be even, got {s.Embd / s.Heads}" : null),
            Buffers = s => [Rand("qkv", s.Batch, s.Seq, 3L * s.Embd), Rand("dqkv", s.Batch, s.Seq, 3L * s.Embd)],
            Forward = new((be, s, r) => be.Rope(r["qkv"], s.Batch, s.Seq, s.Embd, s.Heads, 10000f, inverse: false), s => OpWork.Moves(4.0 * s.Batch * s.Seq * s.Embd)),
            Backward = new((be, s, r) => be.Rope(r["dqkv"], s.Batch, s.Seq, s.Embd, s.Heads, 10000f, inverse: true), s => OpWork.Moves(4.0 * s.Batch * s.Seq * s.Embd)),
        },
        Activation("gelu", "GeluForward/Backward (tanh approximation) on the MLP's hidden activations [B·T,H]",
            (be, s, r) => be.GeluForward(r["out"], r["x"]), (be, s, r) => be.GeluBackward(r["dx"], r["x"], r["dout"])),
        Activation("relu", "ReluForward/Backward on the MLP's hidden activations [B·T,H] (the Tracr models)",
            (be, s, r) => be.ReluForward(r["out"], r["x"]), (be, s, r) => be.ReluBackward(r["dx"], r["x"], r["dout"])),
        new()
        {
            Name = "swiglu",
            Description = "SwiGluForward/Backward: silu(gate)·up from [B·T,2H] to [B·T,H] (the LLaMA-style stories model)",
            Dims = [OpDim.Batch, OpDim.Seq, OpDim.Inner],
            Buffers = s => [Rand("x", s.Batch, s.Seq, 2L * s.Inner), Zero("out", s.Batch, s.Seq, s.Inner), Rand("dout", s.Batch, s.Seq, s.Inner), Zero("dx", s.Batch, s.Seq, 2L * s.Inner)],
            Forward = new((be, s, r) => be.SwiGluForward(r["out"], r["x"], s.Batch * s.Seq, s.Inner), s => OpWork.Moves(3.0 * s.Batch * s.Seq * s.Inner)),
            Backward = new((be, s, r) => be.SwiGluBackward(r["dx"], r["x"], r["dout"], s.Batch * s.Seq, s.Inner), s => OpWork.Moves(7.0 * s.Batch * s.Seq * s.Inner)),
        },
        new()
        {
            Name = "dropout",
            Description = "DropoutForward in place and DropoutBackward on a residual branch [B,T,C], p = 0.1, a fresh mask per call",
            Dims = [OpDim.Batch, OpDim.Seq, OpDim.Embd],
            Buffers = s => [Rand("x", s.Batch, s.Seq, s.Embd), Rand("dout", s.Batch, s.Seq, s.Embd), Zero("dx", s.Batch, s.Seq, s.Embd)],
            Forward = new((be, s, r) => be.DropoutForward(r["x"], DropoutP, (ulong)r.Calls), s => OpWork.Moves(2.0 * s.Batch * s.Seq * s.Embd)),
            // The mask of the latest forward call, as in training.
            Backward = new((be, s, r) => be.DropoutBackward(r["dx"], r["dout"], DropoutP, (ulong)r.Calls), s => OpWork.Moves(3.0 * s.Batch * s.Seq * s.Embd)),
        },
        new()
        {
            Name = "residual",
            Description = "Add for the residual connection, out = x + branch [B,T,C]; backward Accumulate dx += dout",
            Dims = [OpDim.Batch, OpDim.Seq, OpDim.Embd],
            Buffers = s => [Rand("x", s.Batch, s.Seq, s.Embd), Rand("branch", s.Batch, s.Seq, s.Embd), Zero("out", s.Batch, s.Seq, s.Embd),
                Rand("dout", s.Batch, s.Seq, s.Embd), Zero("dx", s.Batch, s.Seq, s.Embd)],
            Forward = new((be, s, r) => be.Add(r["out"], r["x"], r["branch"]), s => OpWork.Moves(3.0 * s.Batch * s.Seq * s.Embd)),
            Backward = new((be, s, r) => be.Accumulate(r["dx"], r["dout"]), s => OpWork.Moves(3.0 * s.Batch * s.Seq * s.Embd)),
        },
        new()
        {
            Name = "cross_entropy",
            Description = "CrossEntropyForward/Backward: softmax cross-entropy of logits [B·T,V] against targets; backward dlogits += (softmax − onehot)/(B·T)",
            Dims = [OpDim.Batch, OpDim.Seq, OpDim.Vocab],
            Buffers = s => [Rand("logits", s.Batch, s.Seq, s.Vocab), Tokens("targets", s.Batch, s.Seq), Zero("losses", s.Batch, s.Seq), Zero("dlogits", s.Batch, s.Seq, s.Vocab)],
            Forward = new((be, s, r) => be.CrossEntropyForward(r["losses"], r["logits"], r.Ints("targets"), s.Batch * s.Seq, s.Vocab),
                s => OpWork.Moves((double)s.Batch * s.Seq * (s.Vocab + 2))),
            Backward = new((be, s, r) => be.CrossEntropyBackward(r["dlogits"], r["logits"], r.Ints("targets"), s.Batch * s.Seq, s.Vocab, 1f / (s.Batch * s.Seq)),
                s => OpWork.Moves((double)s.Batch * s.Seq * (3.0 * s.Vocab + 1))),
        },
        new()
        {
            Name = "sum_of_squares",
            Description = "SumOfSquares over all P gradients: the global norm that gradient clipping divides by",
            Dims = [OpDim.Params],
            Buffers = s => [Rand("grad", s.Params)],
            Forward = new((be, s, r) => r.Result = be.SumOfSquares(r["grad"]), s => new(2.0 * s.Params, 4.0 * s.Params)),
        },
        new()
        {
            Name = "adamw",
            Description = "AdamW over P parameters at once (the trainer calls it once per parameter tensor)",
            Dims = [OpDim.Params],
            Buffers = s => [Rand("param", s.Params), Rand("grad", s.Params), Zero("m", s.Params), Zero("v", s.Params)],
            Forward = new((be, s, r) => be.AdamW(r["param"], r["grad"], r["m"], r["v"],
                    new Backends.AdamWStep(1e-4f, 0.9f, 0.999f, 1e-8f, 0.1f, (int)Math.Min(r.Calls, int.MaxValue), 1f)),
                s => OpWork.Moves(7.0 * s.Params)),
        },
        new()
        {
            Name = "sgd_momentum",
            Description = "SgdMomentum over P parameters (the Tracr fine-tuning recipe)",
            Dims = [OpDim.Params],
            Buffers = s => [Rand("param", s.Params), Rand("grad", s.Params), Zero("momentum", s.Params)],
            Forward = new((be, s, r) => be.SgdMomentum(r["param"], r["grad"], r["momentum"], 1e-4f, 0.9f, 1f), s => OpWork.Moves(5.0 * s.Params)),
        },
    ];

    /// <summary>Every op's name, in registry order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(o => o.Name).ToArray();

    /// <summary>The op called <paramref name="name"/>.</summary>
    /// <exception cref="InvalidConfigException">No op has that name; the message names it and lists the known ones.</exception>
    public static OpDefinition Find(string name) =>
        All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal))
        ?? throw new InvalidConfigException($"unknown op '{name}'; known ops: {string.Join(", ", Names)} (bench op --list describes them)");

    private static OpDefinition Norm(string name, string description, bool centered) => new()
    {
        Name = name,
        Description = description,
        Dims = [OpDim.Batch, OpDim.Seq, OpDim.Embd],
        Buffers = s => centered
            ? [.. NormBuffers(s), Rand("b", s.Embd), Zero("db", s.Embd)]
            : NormBuffers(s),
        Forward = new((be, s, r) => be.LayerNormForward(r["out"], r["mean"], r["rstd"], r["x"], r["w"], centered ? r["b"] : null, s.Batch * s.Seq, s.Embd, 1e-5f, centered),
            s => OpWork.Moves((double)s.Batch * s.Seq * (2.0 * s.Embd + 2) + 2.0 * s.Embd)),
        Backward = new((be, s, r) => be.LayerNormBackward(r["dx"], r["dw"], centered ? r["db"] : null, r["dout"], r["x"], r["w"], r["mean"], r["rstd"], s.Batch * s.Seq, s.Embd, centered),
            s => OpWork.Moves((double)s.Batch * s.Seq * (4.0 * s.Embd + 2) + 5.0 * s.Embd)),
    };

    private static OpBuffer[] NormBuffers(OpShape s) =>
    [
        Rand("x", s.Batch, s.Seq, s.Embd), Rand("w", s.Embd), Zero("out", s.Batch, s.Seq, s.Embd), Zero("mean", s.Batch, s.Seq), Zero("rstd", s.Batch, s.Seq),
        Rand("dout", s.Batch, s.Seq, s.Embd), Zero("dx", s.Batch, s.Seq, s.Embd), Zero("dw", s.Embd),
    ];

    private static OpDefinition Activation(string name, string description, OpAction forward, OpAction backward) => new()
    {
        Name = name,
        Description = description,
        Dims = [OpDim.Batch, OpDim.Seq, OpDim.Inner],
        Buffers = s => [Rand("x", s.Batch, s.Seq, s.Inner), Zero("out", s.Batch, s.Seq, s.Inner), Rand("dout", s.Batch, s.Seq, s.Inner), Zero("dx", s.Batch, s.Seq, s.Inner)],
        Forward = new(forward, s => OpWork.Moves(2.0 * s.Batch * s.Seq * s.Inner)),
        Backward = new(backward, s => OpWork.Moves(4.0 * s.Batch * s.Seq * s.Inner)),
    };

    private static string? HeadsDivideWidth(OpShape s) =>
        s.Embd % s.Heads == 0 ? null : $"C ({OpShape.Option(OpDim.Embd)}) = {s.Embd} is not a multiple of NH ({OpShape.Option(OpDim.Heads)}) = {s.Heads}";

    private static double CausalPairs(OpShape s) => s.Seq * (s.Seq + 1.0) / 2;

    private static OpBuffer Rand(string name, params long[] shape) => new(name, OpFill.Random, shape);

    private static OpBuffer Zero(string name, params long[] shape) => new(name, OpFill.Zero, shape);

    private static OpBuffer Tokens(string name, params long[] shape) => new(name, OpFill.Tokens, shape);
}
