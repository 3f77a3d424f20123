using System.Globalization;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Verdicts;

namespace NativeCore.Tracr;

/// <summary>How well a compiled program still works after the recipe's weight noise, at one N and one noise level.</summary>
/// <param name="MaxLength">N, the compiled input length.</param>
/// <param name="NoiseStd">The noise's standard deviation.</param>
/// <param name="Accuracies">Accuracy on the compiled capability (C_Te = 0, O_PT) for each noise seed 1, 2, ….</param>
/// <param name="SetSize">Samples per evaluation.</param>
internal sealed record StartingPointCell(int MaxLength, double NoiseStd, IReadOnlyList<double> Accuracies, int SetSize)
{
    /// <summary>The accuracy over all seeds' samples, with its Wilson interval.</summary>
    public Estimate Pooled => Estimate.Proportion(Accuracies.Average(), SetSize * Accuracies.Count);
}

/// <summary>
/// The Tracr experiment's starting point, measured (issue 19): the recipe adds Gaussian noise to every trained weight
/// before fine-tuning, and a compiled model whose hidden units are large may not survive it. The scan reads the step-0
/// accuracy after noise over seeds, per N and noise level; <see cref="Choose"/> picks, by a rule fixed here, the N at
/// which the experiment starts from a working model.
/// </summary>
internal static class StartingPoint
{
    /// <summary>A starting point works when the pooled accuracy's whole 95% interval is at or above this.</summary>
    public const double WorkingAccuracy = 0.9;

    /// <summary>The spec's noise (tracr.md §4), at which the choice is made.</summary>
    public const double SpecNoiseStd = 1e-3;

    /// <summary>The N the scan tries by default: the spec's 45 and shorter inputs.</summary>
    public static IReadOnlyList<int> DefaultLengths { get; } = [8, 16, 30, 45];

    /// <summary>The noise levels the scan tries by default, up to the spec's.</summary>
    public static IReadOnlyList<double> DefaultStds { get; } = [1e-4, 3e-4, 1e-3];

    /// <summary>Noise seeds per cell by default.</summary>
    public const int DefaultSeeds = 5;

    /// <summary>
    /// Compiles <paramref name="program"/> at each N, adds the recipe's noise (the fixed readout left alone) with seeds
    /// 1…<paramref name="seeds"/> at each level, and measures the compiled capability on the recipe's held-out set.
    /// </summary>
    public static IReadOnlyList<StartingPointCell> Scan(string program, IReadOnlyList<int> lengths, IReadOnlyList<double> stds, int seeds, int evalSize, IBackend backend,
        Action<StartingPointCell>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(stds);
        ArgumentNullException.ThrowIfNull(backend);
        var recipe = new TracrRecipe();
        var cells = new List<StartingPointCell>();
        foreach (int n in lengths)
        {
            var compiled = TracrPrograms.Compile(program, new TracrOptions(n));
            var task = TracrTask.For(compiled);
            string capability = task.SetName(correlated: false);
            var set = TracrTraining.HeldOutSets(compiled, evalSize, recipe.EvalSeed).Single(s => s.Name == capability);
            foreach (double std in stds)
            {
                var accuracies = new List<double>();
                for (int seed = 1; seed <= seeds; seed++)
                {
                    using var gpt = compiled.Build(backend);
                    TracrTraining.AddNoise(gpt, std, (ulong)seed, TracrTraining.Trained(gpt, recipe));
                    accuracies.Add(TracrTask.Accuracy(gpt, compiled, set.Samples));
                }
                var cell = new StartingPointCell(n, std, accuracies, set.Samples.Length);
                cells.Add(cell);
                progress?.Invoke(cell);
            }
        }
        return cells;
    }

    /// <summary>
    /// The largest N at which noise of <paramref name="std"/> leaves the compiled capability working (the pooled
    /// interval wholly at or above <see cref="WorkingAccuracy"/>), or null when no N in the scan does.
    /// </summary>
    public static int? Choose(IEnumerable<StartingPointCell> cells, double std = SpecNoiseStd)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var working = cells.Where(c => c.NoiseStd == std && c.Pooled.AtLeast(WorkingAccuracy) == Finding.Yes).Select(c => c.MaxLength).ToList();
        return working.Count == 0 ? null : working.Max();
    }

    /// <summary>Writes the scan as CSV: one row per cell, with the pooled accuracy, its interval and each seed's accuracy.</summary>
    public static void WriteCsv(string path, IEnumerable<StartingPointCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var lines = new List<string> { "max_len,noise_std,accuracy,low,high,samples_per_seed,per_seed" };
        lines.AddRange(cells.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"{c.MaxLength},{c.NoiseStd:G},{c.Pooled.Value:F4},{c.Pooled.Low:F4},{c.Pooled.High:F4},{c.SetSize},{string.Join(";", c.Accuracies.Select(a => a.ToString("F4", CultureInfo.InvariantCulture)))}")));
        AtomicFile.WriteAllText(path, string.Join("\n", lines) + "\n");
    }
}
