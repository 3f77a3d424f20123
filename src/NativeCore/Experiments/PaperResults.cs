using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Training;

namespace NativeCore.Experiments;

/// <summary>The evaluations of one training stage, as (step, results) pairs.</summary>
internal sealed record StageEvaluations(string Checkpoint, IReadOnlyList<EvalPoint> Points)
{
    /// <summary>The first evaluation (after the first tenth of fine-tuning).</summary>
    public EvalPoint First => Points[0];

    /// <summary>The last evaluation.</summary>
    public EvalPoint Last => Points[^1];
}

/// <summary>One evaluation: step and the accuracy of every set.</summary>
internal sealed record EvalPoint(long Step, IReadOnlyList<SetAccuracy> Sets)
{
    /// <summary>The accuracy of the set called <paramref name="name"/>.</summary>
    public SetAccuracy this[string name] => Sets.First(s => s.Name == name);
}

/// <summary>One fine-tune of the grid.</summary>
internal sealed record FinetuneCell(string Prior, double LearningRate, double CorrelatedShare, StageEvaluations Result);

/// <summary>What a model of the grid is.</summary>
internal enum ModelRole
{
    /// <summary>Pre-trained under a prior.</summary>
    Pretrained,

    /// <summary>Fine-tuned to count b from the pre-trained model of its prior.</summary>
    Finetuned,

    /// <summary>Scr.: pre-trained from scratch with a and b swapped, so it counts b and (almost) never counts a.</summary>
    Control,
}

/// <summary>A model of the grid: its role, prior and, for fine-tunes, learning rate and C_Tr.</summary>
internal sealed record ModelId(ModelRole Role, string Prior, double LearningRate = 0, double CorrelatedShare = 0)
{
    /// <summary>A short label for tables.</summary>
    public string Label => Role switch
    {
        ModelRole.Pretrained => $"pre-trained, {Prior}",
        ModelRole.Control => $"Scr. control ({Prior})",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Prior}, η {LearningRate:G2}, C_Tr {CorrelatedShare}"),
    };
}

/// <summary>Probe accuracies per block (B0 = embeddings) for one model and one target.</summary>
internal sealed record ProbeCell(ModelId Model, string Target, IReadOnlyList<ProbeResult> Blocks);

/// <summary>
/// Pruning of one model on the count-a loss: K is chosen on a selection split (the curve), and the capability (count a,
/// clean windows) and the fine-tuned behaviour (count b, on clean and on correlated windows) are scored on a separate
/// held-out split at K = 0 and at the chosen K.
/// </summary>
internal sealed record PruneCell(
    ModelId Model,
    int SelectedK,
    SetAccuracy CapabilityBefore,
    SetAccuracy CapabilityAfter,
    SetAccuracy OtherBefore,
    SetAccuracy OtherAfter,
    SetAccuracy OtherCorrelatedBefore,
    SetAccuracy OtherCorrelatedAfter,
    IReadOnlyList<PruneStep> SelectionCurve,
    string Plot)
{
    /// <summary>
    /// The fine-tuned behaviour, before and after pruning: count b on the windows the fine-tune mostly trained on
    /// (<see cref="Verdicts.PaperRules.BehaviourIsCorrelated"/>).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public (SetAccuracy Before, SetAccuracy After) FinetunedBehaviour =>
        Verdicts.PaperRules.BehaviourIsCorrelated(Model.CorrelatedShare) ? (OtherCorrelatedBefore, OtherCorrelatedAfter) : (OtherBefore, OtherAfter);
}

/// <summary>reFT (count a again) from the fine-tune of <paramref name="Prior"/> at the grid's reFT learning rate and C_Tr.</summary>
internal sealed record RevivalCell(string Prior, double CorrelatedShare, RevivalCurve Curve);

/// <summary>Everything the report and the verdict rules are written from.</summary>
/// <param name="Config">The resolved grid config.</param>
/// <param name="Pretrained">Pre-training evaluations by prior (the grid's priors and the swapped control prior).</param>
/// <param name="Finetunes">Every fine-tune.</param>
/// <param name="Pruning">Pruning of the fine-tunes and of the control models.</param>
/// <param name="Probes">count(a) and count(b) probes of the pre-trained models, the fine-tunes and Scr.</param>
/// <param name="AttentionFiles">Attention heatmaps, relative to the report.</param>
/// <param name="Revival">reFT from each prior's fine-tunes.</param>
/// <param name="Baselines">Scr.+FT and Scr. at the reFT learning rate, same schedule and batch.</param>
/// <param name="ScratchAtPretrainLr">Scr. at the pre-training learning rate, as context.</param>
/// <param name="Seconds">Compute time of this invocation.</param>
internal sealed record PaperResults(
    RunConfig Config,
    IReadOnlyDictionary<string, StageEvaluations> Pretrained,
    IReadOnlyList<FinetuneCell> Finetunes,
    IReadOnlyList<PruneCell> Pruning,
    IReadOnlyList<ProbeCell> Probes,
    IReadOnlyList<string> AttentionFiles,
    IReadOnlyList<RevivalCell> Revival,
    IReadOnlyList<RevivalCurve> Baselines,
    RevivalCurve? ScratchAtPretrainLr,
    double Seconds);
