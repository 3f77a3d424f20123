using NativeCore.Model;
using NativeCore.Tasks;
using NativeCore.Tensors;
using NativeCore.Training;

namespace NativeCore.Analysis;

/// <summary>What pruning removes: whole neurons (rows of the block weight matrices) or single weights.</summary>
public enum PruneUnit
{
    /// <summary>A row of a weight matrix in a block: one output neuron's incoming weights.</summary>
    Neurons,
    /// <summary>One scalar weight.</summary>
    Weights,
}

/// <summary>One prunable unit and its score.</summary>
/// <param name="Parameter">The weight matrix, for example transformer.h.0.attn.c_attn.weight.</param>
/// <param name="Index">The row (neurons) or flat element (weights).</param>
/// <param name="Score">Σ gradient × weight over the unit: the first-order drop in loss if it is zeroed.</param>
public sealed record PruneScore(string Parameter, int Index, double Score);

/// <summary>Accuracies after zeroing the top K units.</summary>
public sealed record PruneStep(int K, PruneScore? Removed, IReadOnlyList<SetAccuracy> Accuracies);

/// <summary>
/// One-shot pruning (spec §8): backpropagate the loss of the capability to revive once, score each unit by
/// Σ gradient × weight, and zero the top K. Scores are computed on the device (one <see cref="Backends.IBackend.RowDot"/>
/// per matrix); only the score vectors come back to pick the top K, and units are zeroed in place on the device.
/// </summary>
public static class Pruning
{
    /// <summary>The weight matrices of the blocks, the units' homes.</summary>
    public static IEnumerable<ParameterSpec> BlockMatrices(Gpt model) =>
        model!.Layout.Parameters.Where(p => p.Name.StartsWith("transformer.h.", StringComparison.Ordinal) && p.Shape.Length == 2);

    /// <summary>Scores every unit on one batch of <paramref name="capability"/>, highest first.</summary>
    public static IReadOnlyList<PruneScore> Score(Gpt model, DataConfig data, Capability capability, PruneUnit unit, int batchSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(capability);
        var batch = capability.Stream(data, seed).Batch(0, batchSize);
        return Score(model, batch.Tokens, batch.Targets, batch.BatchSize, batch.Time, unit);
    }

    /// <summary>The block matrices and the LM head: every weight matrix that is not an embedding.</summary>
    public static IEnumerable<ParameterSpec> WeightMatrices(Gpt model) =>
        BlockMatrices(model).Concat(model.Layout.Contains("lm_head.weight") ? [model.Layout["lm_head.weight"]] : []);

    /// <summary>
    /// Scores every unit of <paramref name="matrices"/> (default: the block matrices) by the loss of one batch of
    /// tokens [B,T] and targets (any setting's data), highest first.
    /// </summary>
    public static IReadOnlyList<PruneScore> Score(Gpt model, ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int b, int t, PruneUnit unit, IEnumerable<ParameterSpec>? matrices = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Forward(tokens, targets, b, t);
        model.Backward();
        var be = model.Backend;
        var scores = new List<PruneScore>();
        foreach (var p in matrices ?? BlockMatrices(model))
        {
            int rows = unit == PruneUnit.Neurons ? p.Shape[0] : p.Length;
            int cols = unit == PruneUnit.Neurons ? p.Shape[1] : 1;
            using var buffer = be.Allocate(rows);
            var output = new Tensor(buffer, 0, rows);
            be.RowDot(output, Gpt.View(model.Gradients, p).Reshape(rows, cols), Gpt.View(model.Parameters, p).Reshape(rows, cols), rows, cols);
            var host = output.ToArray();
            for (int i = 0; i < rows; i++) scores.Add(new PruneScore(p.Name, i, host[i]));
        }
        return scores.OrderByDescending(s => s.Score).ThenBy(s => s.Parameter, StringComparer.Ordinal).ThenBy(s => s.Index).ToList();
    }

    /// <summary>Zeroes one unit in the model's parameter buffer, on the device.</summary>
    public static void Zero(Gpt model, PruneScore unit, PruneUnit kind)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(unit);
        var p = model.Layout[unit.Parameter];
        int width = kind == PruneUnit.Neurons ? p.Shape[1] : 1;
        model.Backend.Fill(new Tensor(model.Parameters, p.Offset + unit.Index * width, width), 0f);
    }

    /// <summary>
    /// Evaluates <paramref name="sets"/> after zeroing the top K units for K = 0…<paramref name="maxK"/>. The model's
    /// parameters are restored afterwards.
    /// </summary>
    public static IReadOnlyList<PruneStep> Curve(Gpt model, DataConfig data, Capability capability, PruneUnit unit, int maxK, IReadOnlyList<EvalSet> sets, int scoreBatch, int evalBatch, ulong seed) =>
        Curve(model, Score(model, data, capability, unit, scoreBatch, seed), unit, maxK, () => Evaluator.Evaluate(model, data, sets, evalBatch));

    /// <summary>
    /// The accuracies <paramref name="evaluate"/> reports after zeroing the top K of <paramref name="scores"/>, for
    /// K = 0…<paramref name="maxK"/>; the parameters are restored afterwards.
    /// </summary>
    public static IReadOnlyList<PruneStep> Curve(Gpt model, IReadOnlyList<PruneScore> scores, PruneUnit unit, int maxK, Func<IReadOnlyList<SetAccuracy>> evaluate)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(evaluate);
        return Restoring(model, () =>
        {
            var steps = new List<PruneStep> { new(0, null, evaluate()) };
            for (int k = 1; k <= Math.Min(maxK, scores.Count); k++)
            {
                Zero(model, scores[k - 1], unit);
                steps.Add(new PruneStep(k, scores[k - 1], evaluate()));
            }
            return steps;
        });
    }

    /// <summary>The accuracies <paramref name="evaluate"/> reports with the top <paramref name="k"/> units zeroed; the parameters are restored afterwards.</summary>
    public static IReadOnlyList<SetAccuracy> At(Gpt model, IReadOnlyList<PruneScore> scores, PruneUnit unit, int k, Func<IReadOnlyList<SetAccuracy>> evaluate)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(evaluate);
        return Restoring(model, () =>
        {
            foreach (var s in scores.Take(k)) Zero(model, s, unit);
            return evaluate();
        });
    }

    private static T Restoring<T>(Gpt model, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(model);
        var be = model.Backend;
        using var saved = be.Allocate(model.Parameters.Length);
        var all = new Tensor(model.Parameters, 0, model.Parameters.Length);
        var backup = new Tensor(saved, 0, saved.Length);
        be.Copy(backup, all);
        try
        {
            return body();
        }
        finally
        {
            be.Copy(all, backup);
        }
    }
}
