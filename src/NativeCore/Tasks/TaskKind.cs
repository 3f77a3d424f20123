namespace NativeCore.Tasks;

/// <summary>The five tasks of spec §3.</summary>
public enum TaskKind
{
    /// <summary>Counting: occurrences of a token among the last count-window text tokens.</summary>
    C,
    /// <summary>Counting composition: occurrences of a pair (overlapping) among the last count-window tokens.</summary>
    CC,
    /// <summary>Index of occurrence: position of the n-th occurrence of a token, counted back from EOT.</summary>
    I,
    /// <summary>Index of composition: the same for a pair (position of its first token).</summary>
    IC,
    /// <summary>Token at index: the token count-window positions before EOT.</summary>
    T,
}

/// <summary>A task asked about an operand: a terminal (C, I), a pair (CC, IC) or nothing (T).</summary>
/// <param name="Task">The task.</param>
/// <param name="First">The operand's terminal (0 = a, 1 = b, 2 = c), or −1 for T.</param>
/// <param name="Second">The pair's second terminal, or −1 for single-token operands.</param>
public readonly record struct Query(TaskKind Task, int First, int Second = -1)
{
    /// <summary>The operand token (O in the sequence).</summary>
    public int OperandToken => Task switch
    {
        TaskKind.C or TaskKind.I => Vocabulary.Terminal(First),
        TaskKind.CC or TaskKind.IC => Vocabulary.Pair(First, Second),
        _ => Vocabulary.Null,
    };

    /// <summary>Whether the operand is a pair.</summary>
    public static bool IsPairTask(TaskKind task) => task is TaskKind.CC or TaskKind.IC;

    /// <summary>The operand as text: <c>a</c>, <c>ab</c> or <c>NULL</c>.</summary>
    public string OperandText => Vocabulary.Name(OperandToken);
}
