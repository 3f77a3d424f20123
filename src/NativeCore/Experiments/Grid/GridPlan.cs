using System.Text.Json.Serialization;
using NativeCore.Benchmarking;
using NativeCore.Model;

namespace NativeCore.Experiments;

/// <summary>
/// <c>nativecore paper --plan</c>: the stage graph as data, each stage with its key, the command line that runs it,
/// its parents, its estimated cost and whether it is done.
/// </summary>
internal sealed record GridPlan(
    [property: JsonPropertyName("setting")] string Setting,
    [property: JsonPropertyName("preset")] string Preset,
    [property: JsonPropertyName("store")] string Store,
    [property: JsonPropertyName("stages")] IReadOnlyList<PlannedStage> Stages,
    [property: JsonPropertyName("done")] int Done,
    [property: JsonPropertyName("estimated_cpu_hours")] double EstimatedCpuHours,
    [property: JsonPropertyName("estimated_cpu_hours_left")] double EstimatedCpuHoursLeft,
    [property: JsonPropertyName("cost_model")] string CostModel)
{
    /// <summary>
    /// The planning rate: floating-point operations one CPU core does per second in a training step of these models.
    /// A round figure for sizing jobs, not a measurement of any machine; the cost of evaluation is left out.
    /// </summary>
    public const double FlopsPerCpuSecond = 40e9;

    /// <summary>Forward and backward FLOPs of <paramref name="steps"/> training steps of <paramref name="model"/> at batch <paramref name="batch"/>, full-length sequences.</summary>
    public static double TrainingFlops(GptConfig model, int batch, long steps)
    {
        ArgumentNullException.ThrowIfNull(model);
        int t = model.BlockSize;
        return StepBenchmark.FlopsPerToken(model, t) * batch * (double)t * steps;
    }

    /// <summary>The plan of <paramref name="graph"/>, with each stage's done state from <paramref name="store"/>.</summary>
    public static GridPlan Of(GridRecipe recipe, StageGraph graph, StageStore store, string jobCommand)
    {
        var stages = graph.Stages.Select(s => new PlannedStage(s.Id, $"{jobCommand} stage run {Shell.Quote(s.Id)} --store {Shell.Quote(graph.RunDirectory)}",
            [.. s.Parents], s.Units, Math.Round(s.EstimatedFlops / FlopsPerCpuSecond, 1), store.IsDone(s))).ToList();
        double hours = stages.Sum(s => s.EstimatedCpuSeconds) / 3600, left = stages.Where(s => !s.Done).Sum(s => s.EstimatedCpuSeconds) / 3600;
        return new GridPlan(recipe.Setting, recipe.Preset, graph.RunDirectory, stages, stages.Count(s => s.Done), Math.Round(hours, 2), Math.Round(left, 2),
            $"forward and backward FLOPs of every training step (and step-equivalents for analysis) at {FlopsPerCpuSecond / 1e9:G} GFLOP/s per CPU core; evaluation not counted");
    }
}

/// <summary>One stage in a <see cref="GridPlan"/>.</summary>
internal sealed record PlannedStage(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("parents")] IReadOnlyList<string> Parents,
    [property: JsonPropertyName("units")] long Units,
    [property: JsonPropertyName("estimated_cpu_seconds")] double EstimatedCpuSeconds,
    [property: JsonPropertyName("done")] bool Done);

/// <summary>POSIX shell quoting for the command lines a plan prints and a job runs.</summary>
internal static class Shell
{
    /// <summary><paramref name="word"/> as one shell word: unchanged when it is plain, else in single quotes.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))) return word;
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
