using System.Text.Json.Serialization;

namespace NativeCore.Tasks;

/// <summary>
/// Everything that shapes the grammar data. Defaults are the paper's (spec §2–5); lines marked Default in the spec
/// are NativeCore's own choices and are recorded in every run's config through this record.
/// </summary>
public sealed record DataConfig
{
    /// <summary>Terminals in the text window (250 in the paper).</summary>
    [JsonPropertyName("text_length")] public int TextLength { get; set; } = 250;

    /// <summary>How many trailing text tokens C, CC and T look at (40); also O' of those tasks.</summary>
    [JsonPropertyName("count_window")] public int CountWindow { get; set; } = 40;

    /// <summary>Which occurrence I and IC ask for (the 6th); also O' of those tasks.</summary>
    [JsonPropertyName("index_occurrence")] public int IndexOccurrence { get; set; } = 6;

    /// <summary>q in the Indexer's correlation index(b) = index(a) + q (Default: 1).</summary>
    [JsonPropertyName("index_shift")] public int IndexShift { get; set; } = 1;

    /// <summary>Tasks mixed uniformly in pre-training (the paper: all five).</summary>
    [JsonPropertyName("tasks")] public TaskKind[] Tasks { get; set; } = [TaskKind.C, TaskKind.CC, TaskKind.I, TaskKind.IC, TaskKind.T];

    /// <summary>Operand prior for pre-training: low, medium, high or "pa,pb,pc".</summary>
    [JsonPropertyName("prior")] public string Prior { get; set; } = "high";

    /// <summary>Rejection-sampling bound per sample before giving up with an error.</summary>
    [JsonPropertyName("max_attempts")] public int MaxAttempts { get; set; } = 100_000;

    /// <summary>Tokens in one full sequence: SOS T O O' SOT text EOT ART Ans EOS.</summary>
    [JsonIgnore] public int SequenceLength => TextLength + 9;

    /// <summary>Index of ART in the sequence; the model's prediction there is the answer.</summary>
    [JsonIgnore] public int ArtPosition => TextLength + 6;

    /// <summary>Throws <see cref="InvalidConfigException"/> naming the first field that cannot work.</summary>
    public void Validate()
    {
        if (TextLength < 2 || TextLength > Vocabulary.MaxNumber) throw new InvalidConfigException($"data.text_length must be in [2, {Vocabulary.MaxNumber}], got {TextLength}");
        if (CountWindow < 1 || CountWindow > TextLength) throw new InvalidConfigException($"data.count_window must be in [1, data.text_length={TextLength}], got {CountWindow}");
        if (IndexOccurrence < 1 || IndexOccurrence > TextLength) throw new InvalidConfigException($"data.index_occurrence must be in [1, {TextLength}], got {IndexOccurrence}");
        if (Tasks.Length == 0) throw new InvalidConfigException("data.tasks must name at least one task");
        if (MaxAttempts < 1) throw new InvalidConfigException($"data.max_attempts must be positive, got {MaxAttempts}");
        try
        {
            _ = OperandPrior.Parse(Prior);
        }
        catch (InvalidConfigException e)
        {
            throw new InvalidConfigException($"data.prior: {e.Message}");
        }
    }
}
