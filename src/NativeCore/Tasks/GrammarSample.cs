namespace NativeCore.Tasks;

/// <summary>One generated example: the query, its text window, the answer token, and whether it was drawn correlated.</summary>
/// <param name="Query">Task and operand.</param>
/// <param name="Text">The text window, terminals 0 (a), 1 (b), 2 (c).</param>
/// <param name="Answer">The answer token.</param>
/// <param name="Correlated">True when the slot was drawn with the spurious relation forced to hold.</param>
public sealed record GrammarSample(Query Query, byte[] Text, int Answer, bool Correlated)
{
    /// <summary>The readable sequence: <c>SOS C a 40 SOT … EOT ART 13 EOS</c>.</summary>
    public string Readable(DataConfig config)
    {
        var seq = new int[config!.SequenceLength];
        SequenceFormat.Write(seq, this, config);
        return Vocabulary.Decode(seq);
    }
}

/// <summary>Which positions count in the loss.</summary>
public enum LossMask
{
    /// <summary>Every position except padding (pre-training).</summary>
    AllButPadding,
    /// <summary>Only the answer token, predicted at ART (fine-tuning).</summary>
    AnswerOnly,
}

/// <summary>The exact sequence format of spec §3: <c>SOS T O O' SOT text EOT ART Ans EOS</c>, right-padded with PAD.</summary>
public static class SequenceFormat
{
    /// <summary>Writes the full sequence of <paramref name="sample"/> into <paramref name="seq"/> (at least SequenceLength long).</summary>
    public static void Write(Span<int> seq, GrammarSample sample, DataConfig config)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(config);
        seq.Clear(); // PAD is token 0
        int p = 0;
        seq[p++] = Vocabulary.Sos;
        seq[p++] = Vocabulary.Task(sample.Query.Task);
        seq[p++] = sample.Query.OperandToken;
        seq[p++] = TaskAnswers.SecondOperandToken(sample.Query.Task, config);
        seq[p++] = Vocabulary.Sot;
        foreach (byte t in sample.Text) seq[p++] = Vocabulary.Terminal(t);
        seq[p++] = Vocabulary.Eot;
        seq[p++] = Vocabulary.Art;
        seq[p++] = sample.Answer;
        seq[p] = Vocabulary.Eos;
    }

    /// <summary>
    /// Next-token inputs and targets of one sample: inputs are the sequence without its last token, targets the sequence
    /// shifted by one, with −1 wherever <paramref name="mask"/> leaves a position out. Both spans are SequenceLength − 1 long.
    /// </summary>
    public static void WriteTraining(Span<int> inputs, Span<int> targets, GrammarSample sample, DataConfig config, LossMask mask)
    {
        ArgumentNullException.ThrowIfNull(config);
        Span<int> seq = stackalloc int[config.SequenceLength];
        Write(seq, sample, config);
        seq[..^1].CopyTo(inputs);
        for (int i = 0; i < targets.Length; i++)
        {
            int next = seq[i + 1];
            bool counted = mask == LossMask.AnswerOnly ? i == config.ArtPosition : next != Vocabulary.Pad;
            targets[i] = counted ? next : -1;
        }
    }
}
