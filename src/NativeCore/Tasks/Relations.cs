namespace NativeCore.Tasks;

/// <summary>
/// The spurious correlations of spec §5, between the pre-training operand a and the fine-tuning operand b.
/// Counter: count(b) = count(a) + 1 in the count window. Indexer: index(n-th b) = index(n-th a) + q.
/// </summary>
public static class Relations
{
    /// <summary>Whether the correlation of <paramref name="task"/> (C or I) holds on <paramref name="text"/>.</summary>
    public static bool Holds(TaskKind task, ReadOnlySpan<byte> text, DataConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return task switch
        {
            TaskKind.C => TaskAnswers.Count(text, config.CountWindow, 1) == TaskAnswers.Count(text, config.CountWindow, 0) + 1,
            TaskKind.I => TaskAnswers.IndexOf(text, config.IndexOccurrence, 1) is { } ib
                && TaskAnswers.IndexOf(text, config.IndexOccurrence, 0) is { } ia
                && ib == ia + config.IndexShift,
            _ => throw new InvalidConfigException($"task {task} is never fine-tuned; only C (counter) and I (indexer) have a spurious correlation"),
        };
    }

    /// <summary>A readable statement of the relation, for messages and reports.</summary>
    public static string Describe(TaskKind task, DataConfig config) => task == TaskKind.C
        ? $"count(b) = count(a) + 1 in the last {config!.CountWindow}"
        : $"index({config!.IndexOccurrence}th b) = index({config.IndexOccurrence}th a) + {config.IndexShift}";
}
