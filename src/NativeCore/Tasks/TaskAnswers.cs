namespace NativeCore.Tasks;

/// <summary>The answer to each task, one small function each (spec §3). Text is terminals 0 (a), 1 (b), 2 (c).</summary>
public static class TaskAnswers
{
    /// <summary>Occurrences of <paramref name="terminal"/> among the last <paramref name="window"/> tokens.</summary>
    public static int Count(ReadOnlySpan<byte> text, int window, int terminal)
    {
        int n = 0;
        foreach (byte t in text[^window..])
            if (t == terminal) n++;
        return n;
    }

    /// <summary>Overlapping occurrences of the pair among the last <paramref name="window"/> tokens (both tokens inside).</summary>
    public static int CountPair(ReadOnlySpan<byte> text, int window, int first, int second)
    {
        var w = text[^window..];
        int n = 0;
        for (int i = 0; i + 1 < w.Length; i++)
            if (w[i] == first && w[i + 1] == second) n++;
        return n;
    }

    /// <summary>Position, counted back from EOT (the last token is 1), of the <paramref name="occurrence"/>-th occurrence from the end; null if fewer.</summary>
    public static int? IndexOf(ReadOnlySpan<byte> text, int occurrence, int terminal)
    {
        int seen = 0;
        for (int i = text.Length - 1; i >= 0; i--)
            if (text[i] == terminal && ++seen == occurrence) return text.Length - i;
        return null;
    }

    /// <summary>The same for a pair, at the position of its first token.</summary>
    public static int? IndexOfPair(ReadOnlySpan<byte> text, int occurrence, int first, int second)
    {
        int seen = 0;
        for (int i = text.Length - 2; i >= 0; i--)
            if (text[i] == first && text[i + 1] == second && ++seen == occurrence) return text.Length - i;
        return null;
    }

    /// <summary>The token <paramref name="back"/> positions before EOT (back = 1 is the last text token).</summary>
    public static int TokenAt(ReadOnlySpan<byte> text, int back) => text[text.Length - back];

    /// <summary>The answer token for <paramref name="query"/> on <paramref name="text"/>.</summary>
    public static int AnswerToken(Query query, ReadOnlySpan<byte> text, DataConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        static int Index(int? i) => i is { } v ? Vocabulary.Number(v) : Vocabulary.None;
        return query.Task switch
        {
            TaskKind.C => Vocabulary.Number(Count(text, config.CountWindow, query.First)),
            TaskKind.CC => Vocabulary.Number(CountPair(text, config.CountWindow, query.First, query.Second)),
            TaskKind.I => Index(IndexOf(text, config.IndexOccurrence, query.First)),
            TaskKind.IC => Index(IndexOfPair(text, config.IndexOccurrence, query.First, query.Second)),
            _ => Vocabulary.Terminal(TokenAt(text, config.CountWindow)),
        };
    }

    /// <summary>O', the number token of the query: the count window for C, CC and T, the occurrence for I and IC.</summary>
    public static int SecondOperandToken(TaskKind task, DataConfig config) =>
        Vocabulary.Number(task is TaskKind.I or TaskKind.IC ? config!.IndexOccurrence : config!.CountWindow);
}
