using NativeCore.Tasks;

namespace NativeCore.Analysis;

/// <summary>
/// A capability to test, revive or audit, written <c>task:operand</c>: <c>counter:a</c> (count a), <c>counter:b</c>,
/// <c>indexer:a</c>. Its samples are plain windows of the task asked with that operand.
/// </summary>
public sealed record Capability(TaskKind Task, int Operand)
{
    /// <summary>Parses <c>counter:a</c>, <c>C:a</c>, <c>indexer:b</c>, <c>I:b</c>.</summary>
    public static Capability Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(':');
        if (parts.Length != 2) throw new InvalidConfigException($"capability '{spec}' must look like counter:a or indexer:b");
        var task = parts[0] switch
        {
            "counter" or "C" => TaskKind.C,
            "indexer" or "I" => TaskKind.I,
            _ => throw new InvalidConfigException($"capability '{spec}': unknown task '{parts[0]}' (counter or indexer)"),
        };
        if (parts[1] is not ("a" or "b")) throw new InvalidConfigException($"capability '{spec}': operand '{parts[1]}' must be a or b (the held-out sets ask with a and b)");
        return new Capability(task, parts[1][0] - 'a');
    }

    /// <summary>A fine-tuning-style stream of the capability: plain windows, answer-only loss.</summary>
    public FinetuningData Stream(DataConfig data, ulong seed) => new(data, Task, correlatedShare: 0, seed, Operand);

    /// <summary>The spec form, for example <c>counter:a</c>.</summary>
    public override string ToString() => $"{(Task == TaskKind.C ? "counter" : "indexer")}:{(char)('a' + Operand)}";
}
