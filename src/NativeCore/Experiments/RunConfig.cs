using System.Text.Json.Serialization;
using NativeCore.Model;
using NativeCore.Tasks;

namespace NativeCore.Experiments;

/// <summary>The settings of one training stage (pre-training or fine-tuning); names follow the spec.</summary>
internal sealed record StageConfig
{
    /// <summary>Optimizer steps.</summary>
    [JsonPropertyName("steps")] public int Steps { get; set; } = 100;

    /// <summary>Sequences per step.</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; set; } = 8;

    /// <summary>Peak learning rate.</summary>
    [JsonPropertyName("lr")] public double LearningRate { get; set; } = 1e-3;

    /// <summary>Minimum learning rate as a fraction of the peak (spec: 1/100).</summary>
    [JsonPropertyName("min_lr_ratio")] public double MinLrRatio { get; set; } = 0.01;

    /// <summary>Share of the steps spent in linear warm-up (spec: 0.2).</summary>
    [JsonPropertyName("warmup")] public double Warmup { get; set; } = 0.2;

    /// <summary>AdamW β1.</summary>
    [JsonPropertyName("beta1")] public double Beta1 { get; set; } = 0.9;

    /// <summary>AdamW β2.</summary>
    [JsonPropertyName("beta2")] public double Beta2 { get; set; } = 0.95;

    /// <summary>AdamW ε.</summary>
    [JsonPropertyName("eps")] public double Eps { get; set; } = 1e-8;

    /// <summary>Decoupled weight decay on Linear weights.</summary>
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; set; } = 0.1;

    /// <summary>Global gradient-norm clip.</summary>
    [JsonPropertyName("grad_clip")] public double GradClip { get; set; } = 1.0;

    /// <summary>Loss positions: "all" (every position but padding) or "answer" (the answer token only).</summary>
    [JsonPropertyName("loss")] public string Loss { get; set; } = "all";

    /// <summary>Evaluate every this many steps (and at the end).</summary>
    [JsonPropertyName("eval_every")] public int EvalEvery { get; set; } = 100;

    /// <summary>When set, evaluate at exactly these steps (and at the end) instead of every <see cref="EvalEvery"/>.</summary>
    [JsonPropertyName("eval_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int[]? EvalAt { get; init; }

    /// <summary>Whether the trainer evaluates after <paramref name="step"/> of <see cref="Steps"/>.</summary>
    public bool EvaluatesAt(long step) => step == Steps || (EvalAt is { } at ? Array.IndexOf(at, (int)step) >= 0 : step % EvalEvery == 0);

    /// <summary>Write a checkpoint every this many steps (and at the end).</summary>
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; set; } = 500;

    /// <summary>Checkpoints kept in a run folder; older ones are deleted.</summary>
    [JsonPropertyName("keep_last")] public int KeepLast { get; set; } = 3;

    /// <summary>Fine-tuning only: C (counter) or I (indexer).</summary>
    [JsonPropertyName("task")] public string Task { get; set; } = "C";

    /// <summary>Fine-tuning only: C_Tr, the share of correlated samples.</summary>
    [JsonPropertyName("ctr")] public double CorrelatedShare { get; init; }

    /// <summary>The loss mask this stage trains with.</summary>
    [JsonIgnore] public LossMask Mask => Loss == "answer" ? LossMask.AnswerOnly : LossMask.AllButPadding;

    /// <summary>The fine-tuning task as an enum.</summary>
    [JsonIgnore] public TaskKind TaskKind => Task switch
    {
        "C" or "counter" => TaskKind.C,
        "I" or "indexer" => TaskKind.I,
        _ => throw new InvalidConfigException($"{Task}: fine-tuning task must be C (counter) or I (indexer)"),
    };

    /// <summary>Throws naming the first invalid field, prefixed with <paramref name="section"/>.</summary>
    public void Validate(string section)
    {
        void Check(bool ok, string field, object value, string rule)
        {
            if (!ok) throw new InvalidConfigException($"{section}.{field} {rule}, got {value}");
        }
        Check(Steps > 0, "steps", Steps, "must be positive");
        Check(BatchSize > 0, "batch_size", BatchSize, "must be positive");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), "lr", LearningRate, "must be a positive number");
        Check(MinLrRatio is >= 0 and <= 1, "min_lr_ratio", MinLrRatio, "must be in [0, 1]");
        Check(Warmup is >= 0 and <= 1, "warmup", Warmup, "must be in [0, 1]");
        Check(Beta1 is >= 0 and < 1, "beta1", Beta1, "must be in [0, 1)");
        Check(Beta2 is >= 0 and < 1, "beta2", Beta2, "must be in [0, 1)");
        Check(Eps > 0, "eps", Eps, "must be positive");
        Check(WeightDecay >= 0, "weight_decay", WeightDecay, "must be non-negative");
        Check(GradClip >= 0 && double.IsFinite(GradClip), "grad_clip", GradClip, "must be non-negative (0 turns clipping off)");
        Check(Loss is "all" or "answer", "loss", Loss, "must be \"all\" or \"answer\"");
        Check(EvalEvery > 0, "eval_every", EvalEvery, "must be positive");
        Check(EvalAt is null || EvalAt.All(s => s > 0), "eval_at", EvalAt is null ? "" : string.Join(",", EvalAt), "must hold positive steps");
        Check(CheckpointEvery > 0, "checkpoint_every", CheckpointEvery, "must be positive");
        Check(KeepLast > 0, "keep_last", KeepLast, "must be positive");
        Check(CorrelatedShare is >= 0 and <= 1, "ctr", CorrelatedShare, "must be in [0, 1]");
        Check(Task is "C" or "counter" or "I" or "indexer", "task", Task, "must be C (counter) or I (indexer)");
    }
}

/// <summary>How held-out sets are built.</summary>
internal sealed record EvalConfig
{
    /// <summary>Samples per held-out set (spec default: 1024).</summary>
    [JsonPropertyName("size")] public int Size { get; set; } = TestSets.DefaultSize;

    /// <summary>Seed of the held-out sets, separate from the training seed.</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; set; } = 20240101;

    /// <summary>Sequences per evaluation forward pass.</summary>
    [JsonPropertyName("batch_size")] public int BatchSize { get; set; } = 128;
}

/// <summary>A fully resolved experiment configuration: what every run folder records in config.json.</summary>
internal sealed record RunConfig
{
    /// <summary>The preset this was resolved from.</summary>
    [JsonPropertyName("preset")] public string Preset { get; set; } = "";

    /// <summary>Why the preset has these values, in words (kept so that a reader of config.json sees it).</summary>
    [JsonPropertyName("notes")] public string Notes { get; set; } = "";

    /// <summary>The training seed (weights, data order, dropout).</summary>
    [JsonPropertyName("seed")] public ulong Seed { get; set; } = 1;

    /// <summary>The backend the run uses.</summary>
    [JsonPropertyName("backend")] public string Backend { get; set; } = "cpu";

    /// <summary>The model; vocab_size and block_size follow from the data and are filled in by resolution.</summary>
    [JsonPropertyName("model")] public GptConfig Model { get; set; } = new();

    /// <summary>The grammar data.</summary>
    [JsonPropertyName("data")] public DataConfig Data { get; set; } = new();

    /// <summary>Pre-training settings.</summary>
    [JsonPropertyName("pretrain")] public StageConfig Pretrain { get; set; } = new();

    /// <summary>Fine-tuning settings (also the recipe of reverse fine-tuning).</summary>
    [JsonPropertyName("finetune")] public StageConfig Finetune { get; set; } = new() { Loss = "answer", LearningRate = 1e-5 };

    /// <summary>Held-out evaluation.</summary>
    [JsonPropertyName("eval")] public EvalConfig Eval { get; set; } = new();

    /// <summary>The grid of <c>nativecore paper</c>.</summary>
    [JsonPropertyName("grid")] public GridConfig Grid { get; set; } = new();

    /// <summary>Fills the derived model fields and checks every section.</summary>
    public RunConfig Resolve()
    {
        Data.Validate();
        var model = Model with { VocabSize = Vocabulary.Size, BlockSize = Data.SequenceLength - 1 };
        model.Validate();
        Pretrain.Validate("pretrain");
        Finetune.Validate("finetune");
        if (Eval.Size <= 0) throw new InvalidConfigException($"eval.size must be positive, got {Eval.Size}");
        if (Eval.BatchSize <= 0) throw new InvalidConfigException($"eval.batch_size must be positive, got {Eval.BatchSize}");
        Grid.Validate();
        foreach (var (setting, batch) in new[] { ("pretrain.batch_size", Pretrain.BatchSize), ("finetune.batch_size", Finetune.BatchSize), ("eval.batch_size", Eval.BatchSize) })
            MemoryEstimate.Check(model, batch, model.BlockSize, $"{setting}={batch} with {MemoryEstimate.Describe(model)}");
        return this with { Model = model };
    }
}
