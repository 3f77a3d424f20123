using NativeCore.Backends;

namespace NativeCore.Benchmarking;

/// <summary>Runs one direction of an op on the buffers an <see cref="OpRun"/> allocated.</summary>
/// <param name="backend">The backend the buffers belong to.</param>
/// <param name="shape">The sizes the buffers were allocated for.</param>
/// <param name="run">The buffers by name, and the call counter.</param>
internal delegate void OpAction(IBackend backend, OpShape shape, OpRun run);

/// <summary>
/// One entry of the op workbench (<see cref="OpRegistry"/>): an <see cref="IBackend"/> operation as training calls it,
/// with the buffers it needs, its forward and backward calls and the work each does.
/// </summary>
internal sealed class OpDefinition
{
    /// <summary>The name on the command line (<c>nativecore bench op NAME</c>) and in the BenchmarkDotNet suite.</summary>
    public required string Name { get; init; }

    /// <summary>One line: which IBackend calls run, on what, and where training makes them.</summary>
    public required string Description { get; init; }

    /// <summary>The dimensions the op is sized by; any other shape option does not apply to it.</summary>
    public required IReadOnlyList<OpDim> Dims { get; init; }

    /// <summary>Every buffer the op reads or writes, with how it starts.</summary>
    public required Func<OpShape, IReadOnlyList<OpBuffer>> Buffers { get; init; }

    /// <summary>The forward call (for an optimizer, its update).</summary>
    public required OpPass Forward { get; init; }

    /// <summary>The backward call, run after at least one forward call; null where the op has none.</summary>
    public OpPass? Backward { get; init; }

    /// <summary>What the op needs of the sizes beyond their being positive (heads dividing C, say); null when the sizes fit.</summary>
    public Func<OpShape, string?>? ShapeProblem { get; init; }
}

/// <summary>One direction of an op: the call and the work it does.</summary>
/// <param name="Call">Runs the direction once.</param>
/// <param name="Work">The work of one call at the given sizes.</param>
internal sealed record OpPass(OpAction Call, Func<OpShape, OpWork> Work);

/// <summary>How a benchmark buffer starts.</summary>
internal enum OpFill
{
    /// <summary>Zeros: outputs, gradients, optimizer moments.</summary>
    Zero,
    /// <summary>Deterministic N(0,1) samples: activations, weights, incoming gradients.</summary>
    Random,
    /// <summary>Int token ids in [0, V): embedding tokens and cross-entropy targets.</summary>
    Tokens,
}

/// <summary>One buffer of an op benchmark.</summary>
/// <param name="Name">The name the op's calls look it up by.</param>
/// <param name="Fill">How it starts; <see cref="OpFill.Tokens"/> makes an int buffer.</param>
/// <param name="Shape">Its dimensions, in long so that an oversized request is refused rather than wrapped.</param>
internal sealed record OpBuffer(string Name, OpFill Fill, params long[] Shape)
{
    /// <summary>Number of elements.</summary>
    public double Length => Shape.Aggregate(1.0, (product, d) => product * d);
}

/// <summary>The useful work of one call, for the rates a result reports.</summary>
/// <param name="Flops">Floating-point operations; 0 for ops that only move memory.</param>
/// <param name="Bytes">Bytes the call must read and write at least (each float once).</param>
internal readonly record struct OpWork(double Flops, double Bytes)
{
    /// <summary>Work of an op that reads and writes <paramref name="floats"/> floats and computes little on them.</summary>
    public static OpWork Moves(double floats) => new(0, 4 * floats);
}
