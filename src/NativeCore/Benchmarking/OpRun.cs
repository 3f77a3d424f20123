using NativeCore.Backends;
using NativeCore.Kernels;
using NativeCore.Model;
using NativeCore.Tensors;

namespace NativeCore.Benchmarking;

/// <summary>
/// An op of the workbench made ready on one backend: its buffers allocated and filled, so that
/// <see cref="Forward"/> and <see cref="Backward"/> can be called as often as a timer wants.
/// </summary>
internal sealed class OpRun : IDisposable
{
    private readonly Dictionary<string, Tensor> _floats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceBuffer<int>> _ints = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = [];

    private OpRun(IBackend backend, OpDefinition op, OpShape shape)
    {
        Backend = backend;
        Op = op;
        Shape = shape;
    }

    /// <summary>The backend every buffer belongs to.</summary>
    public IBackend Backend { get; }

    /// <summary>The op.</summary>
    public OpDefinition Op { get; }

    /// <summary>The sizes the buffers were made for.</summary>
    public OpShape Shape { get; }

    /// <summary>
    /// Forward calls so far, counting the one running. In-place ops that draw a mask (dropout) seed it with this, so
    /// each call draws a fresh one as each training step does, instead of scaling the same survivors until they overflow.
    /// </summary>
    public long Calls { get; private set; }

    /// <summary>The value an op that reduces to a number (a gradient norm) returned last, kept so that it can be checked.</summary>
    public double Result { get; set; }

    /// <summary>The float buffer called <paramref name="name"/>.</summary>
    public Tensor this[string name] => _floats[name];

    /// <summary>The int buffer called <paramref name="name"/>.</summary>
    public DeviceBuffer<int> Ints(string name) => _ints[name];

    /// <summary>Checks the sizes, then allocates and fills every buffer of <paramref name="op"/> on <paramref name="backend"/>.</summary>
    /// <exception cref="InvalidConfigException">A size is not positive, does not suit the op, or the buffers would pass a buffer's index range or <see cref="MemoryEstimate.CapBytes"/>.</exception>
    public static OpRun Allocate(IBackend backend, OpDefinition op, OpShape shape)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(shape);
        var buffers = Check(op, shape);
        var run = new OpRun(backend, op, shape);
        try
        {
            for (int i = 0; i < buffers.Count; i++) run.Add(buffers[i], seed: (ulong)i + 1);
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>One forward call.</summary>
    public void Forward()
    {
        Calls++;
        Op.Forward.Call(Backend, Shape, this);
    }

    /// <summary>One backward call; the op must have one, and a forward call must have run first.</summary>
    public void Backward()
    {
        var pass = Op.Backward ?? throw new InvalidOperationException($"{Op.Name} has no backward pass");
        if (Calls == 0) throw new InvalidOperationException($"{Op.Name}: backward needs a forward call first");
        pass.Call(Backend, Shape, this);
    }

    /// <summary>Every float buffer's current values, by name.</summary>
    public IEnumerable<(string Name, float[] Values)> Download() => _floats.Select(kv => (kv.Key, kv.Value.ToArray()));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var buffer in _owned) buffer.Dispose();
        _owned.Clear();
    }

    /// <summary>Checks that <paramref name="shape"/> suits <paramref name="op"/> without allocating anything; returns the op's buffers.</summary>
    /// <exception cref="InvalidConfigException">As for <see cref="Allocate"/>.</exception>
    public static IReadOnlyList<OpBuffer> Check(OpDefinition op, OpShape shape)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var dim in op.Dims)
        {
            long value = shape.Get(dim);
            if (value <= 0) throw new InvalidConfigException($"{op.Name}: {OpShape.Symbol(dim)} ({OpShape.Option(dim)}) must be positive, got {value}");
            if (value > int.MaxValue) throw new InvalidConfigException($"{op.Name}: {OpShape.Symbol(dim)}={value} is past the int range of a size");
        }
        if (op.ShapeProblem?.Invoke(shape) is { } problem) throw new InvalidConfigException($"{op.Name}: {problem}");
        var buffers = op.Buffers(shape);
        double bytes = 0;
        foreach (var b in buffers)
        {
            if (b.Length > Array.MaxLength)
                throw new InvalidConfigException($"{op.Name} at {shape.Describe(op.Dims)}: buffer {b.Name} would hold {b.Length:G4} elements, more than one buffer can index");
            bytes += 4 * b.Length;
        }
        if (bytes > MemoryEstimate.CapBytes)
            throw new InvalidConfigException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{op.Name} at {shape.Describe(op.Dims)}: its buffers need {bytes / (1L << 30):F1} GiB; the cap is {MemoryEstimate.CapBytes >> 30} GiB"));
        return buffers;
    }

    private void Add(OpBuffer spec, ulong seed)
    {
        int length = (int)spec.Length;
        if (spec.Fill == OpFill.Tokens)
        {
            var ids = Backend.AllocateInt(length);
            _owned.Add(ids);
            var values = new int[length];
            for (int i = 0; i < length; i++) values[i] = (int)(CounterHash.Mix(seed, (ulong)i) % (ulong)Shape.Vocab);
            ids.CopyFromHost(values);
            _ints.Add(spec.Name, ids);
            return;
        }
        var buffer = Backend.Allocate(length);
        _owned.Add(buffer);
        var tensor = new Tensor(buffer, 0, spec.Shape.Select(d => (int)d).ToArray());
        if (spec.Fill == OpFill.Random) tensor.CopyFrom(GemmBenchmark.RandomValues(length, seed));
        _floats.Add(spec.Name, tensor);
    }
}
