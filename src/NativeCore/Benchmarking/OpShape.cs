using System.Globalization;
using NativeCore.Model;

namespace NativeCore.Benchmarking;

/// <summary>One dimension an op benchmark can be sized by; each has its own command-line option.</summary>
internal enum OpDim
{
    /// <summary>B, sequences per batch (<c>--batch</c>).</summary>
    Batch,
    /// <summary>T, positions per sequence (<c>--seq</c>).</summary>
    Seq,
    /// <summary>C, width of the residual stream (<c>--embd</c>).</summary>
    Embd,
    /// <summary>NH, attention heads (<c>--heads</c>).</summary>
    Heads,
    /// <summary>V, vocabulary size (<c>--vocab</c>).</summary>
    Vocab,
    /// <summary>H, hidden width of the MLP (<c>--inner</c>).</summary>
    Inner,
    /// <summary>GEMM rows M (<c>--m</c>).</summary>
    M,
    /// <summary>GEMM inner dimension K (<c>--k</c>).</summary>
    K,
    /// <summary>GEMM columns N (<c>--n</c>).</summary>
    N,
    /// <summary>P, floats an optimizer step updates (<c>--params</c>).</summary>
    Params,
}

/// <summary>
/// The sizes an op benchmark runs at. The defaults are one training step of a GPT anchor (<see cref="FromAnchor"/>);
/// the dimensions that follow from others (the MLP width, the GEMM shape, the parameter count) follow them until set.
/// </summary>
internal sealed record OpShape
{
    /// <summary>B.</summary>
    public int Batch { get; init; } = 32;

    /// <summary>T.</summary>
    public int Seq { get; init; } = 256;

    /// <summary>C.</summary>
    public int Embd { get; init; } = 192;

    /// <summary>NH.</summary>
    public int Heads { get; init; } = 6;

    /// <summary>V.</summary>
    public int Vocab { get; init; } = 64;

    /// <summary>Blocks of the model whose parameter count is the default <see cref="Params"/>.</summary>
    public int Layers { get; init; } = 6;

    /// <summary>H when set; otherwise 4·C, as in minGPT.</summary>
    public int? InnerOverride { get; init; }

    /// <summary>M when set; otherwise B·T (a Linear layer over every position).</summary>
    public int? MOverride { get; init; }

    /// <summary>K when set; otherwise C.</summary>
    public int? KOverride { get; init; }

    /// <summary>N when set; otherwise 3·C (c_attn, the widest projection of the residual stream).</summary>
    public int? NOverride { get; init; }

    /// <summary>P when set; otherwise the parameter count of the model these sizes describe.</summary>
    public int? ParamsOverride { get; init; }

    /// <summary>H.</summary>
    public int Inner => InnerOverride ?? 4 * Embd;

    /// <summary>M.</summary>
    public int M => MOverride ?? Batch * Seq;

    /// <summary>K.</summary>
    public int K => KOverride ?? Embd;

    /// <summary>N.</summary>
    public int N => NOverride ?? 3 * Embd;

    /// <summary>P.</summary>
    public int Params => ParamsOverride ?? (int)MemoryEstimate.ParameterFloats(Model);

    /// <summary>The tied-head GPT these sizes describe (for the default parameter count).</summary>
    private GptConfig Model => new()
    {
        NLayer = Layers, NHead = Heads, NEmbd = Embd, BlockSize = Seq, VocabSize = Vocab, InnerOverride = InnerOverride, TiedEmbeddings = true,
    };

    /// <summary>The sizes of one training step of an anchor model: <c>small</c> or <c>paper-like</c>.</summary>
    /// <exception cref="InvalidConfigException">The name is not an anchor.</exception>
    public static OpShape FromAnchor(string name)
    {
        var (config, batch) = StepBenchmark.Anchor(name);
        return new OpShape { Batch = batch, Seq = config.BlockSize, Embd = config.NEmbd, Heads = config.NHead, Vocab = config.VocabSize, Layers = config.NLayer };
    }

    /// <summary>The value of <paramref name="dim"/>.</summary>
    public long Get(OpDim dim) => dim switch
    {
        OpDim.Batch => Batch,
        OpDim.Seq => Seq,
        OpDim.Embd => Embd,
        OpDim.Heads => Heads,
        OpDim.Vocab => Vocab,
        // The derived ones in long (the parameter count capped just past int): 4·C or B·T of two valid sizes can pass
        // int, and the size check must see the true value rather than a wrapped one.
        OpDim.Inner => InnerOverride ?? 4L * Embd,
        OpDim.M => MOverride ?? (long)Batch * Seq,
        OpDim.K => K,
        OpDim.N => NOverride ?? 3L * Embd,
        OpDim.Params => ParamsOverride ?? (long)Math.Min(MemoryEstimate.ParameterFloats(Model), int.MaxValue + 1L),
        _ => throw new ArgumentOutOfRangeException(nameof(dim), dim, null),
    };

    /// <summary>These sizes with <paramref name="dim"/> set to <paramref name="value"/>.</summary>
    public OpShape With(OpDim dim, int value) => dim switch
    {
        OpDim.Batch => this with { Batch = value },
        OpDim.Seq => this with { Seq = value },
        OpDim.Embd => this with { Embd = value },
        OpDim.Heads => this with { Heads = value },
        OpDim.Vocab => this with { Vocab = value },
        OpDim.Inner => this with { InnerOverride = value },
        OpDim.M => this with { MOverride = value },
        OpDim.K => this with { KOverride = value },
        OpDim.N => this with { NOverride = value },
        OpDim.Params => this with { ParamsOverride = value },
        _ => throw new ArgumentOutOfRangeException(nameof(dim), dim, null),
    };

    /// <summary>The short symbol of <paramref name="dim"/> (B, T, C, NH, V, H, M, K, N, P).</summary>
    public static string Symbol(OpDim dim) => dim switch
    {
        OpDim.Batch => "B",
        OpDim.Seq => "T",
        OpDim.Embd => "C",
        OpDim.Heads => "NH",
        OpDim.Vocab => "V",
        OpDim.Inner => "H",
        OpDim.Params => "P",
        _ => dim.ToString(),
    };

    /// <summary>The command-line option that sets <paramref name="dim"/> (<c>--embd</c> for C), for messages.</summary>
    public static string Option(OpDim dim) => dim switch
    {
        OpDim.Batch => "--batch",
        OpDim.Seq => "--seq",
        OpDim.Embd => "--embd",
        OpDim.Heads => "--heads",
        OpDim.Vocab => "--vocab",
        OpDim.Inner => "--inner",
        OpDim.M => "--m",
        OpDim.K => "--k",
        OpDim.N => "--n",
        OpDim.Params => "--params",
        _ => throw new ArgumentOutOfRangeException(nameof(dim), dim, null),
    };

    /// <summary>The given dimensions as text, for messages and result lines: <c>B=32 T=256 C=192</c>.</summary>
    public string Describe(IEnumerable<OpDim> dims) =>
        string.Join(" ", dims.Select(d => string.Create(CultureInfo.InvariantCulture, $"{Symbol(d)}={Get(d)}")));
}
