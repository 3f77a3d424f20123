namespace NativeCore.Tasks;

/// <summary>Draws text windows, plain or with a spurious relation forced to hold or to fail, by bounded rejection.</summary>
internal static class TextSampler
{
    [ThreadStatic] private static List<byte>? t_scratch;

    public static byte[] Plain(ref SampleRng rng, DataConfig config)
    {
        var scratch = t_scratch ??= new List<byte>(1024);
        int offset = Grammar.Window(ref rng, config.TextLength, scratch);
        return scratch.GetRange(offset, config.TextLength).ToArray();
    }

    /// <summary>A window on which the relation of <paramref name="task"/> holds (<paramref name="holds"/>) or fails.</summary>
    /// <exception cref="InvalidConfigException">No such window within data.max_attempts draws.</exception>
    public static byte[] Where(ref SampleRng rng, DataConfig config, TaskKind task, bool holds)
    {
        for (int attempt = 0; attempt < config.MaxAttempts; attempt++)
        {
            var text = Plain(ref rng, config);
            if (Relations.Holds(task, text, config) == holds) return text;
        }
        throw new InvalidConfigException(
            $"no text window where {Relations.Describe(task, config)} {(holds ? "holds" : "fails")} within data.max_attempts={config.MaxAttempts} draws " +
            $"(task {task}, data.text_length={config.TextLength}, data.count_window={config.CountWindow}, data.index_occurrence={config.IndexOccurrence}); " +
            "widen the windows or raise data.max_attempts");
    }
}
