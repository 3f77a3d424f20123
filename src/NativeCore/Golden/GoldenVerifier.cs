using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Golden;

/// <summary>One compared tensor: its relative error next to the tolerance for its kind.</summary>
/// <param name="Name">The expected tensor's name (logits, loss, act.*, grad.*, after_step.*).</param>
/// <param name="Error">max|ours − expected| / max(max|expected|, 1e-6).</param>
/// <param name="Tolerance">The case's tolerance for this kind of tensor.</param>
internal sealed record TensorCheck(string Name, double Error, double Tolerance)
{
    /// <summary>Whether the error is within tolerance (NaN fails).</summary>
    public bool Passed => Error <= Tolerance;
}

/// <summary>
/// Runs a <see cref="GoldenCase"/> through the model on a backend: forward with every hook cached, loss, backward, and
/// one clipped AdamW step, comparing every expected tensor. Nothing here knows any particular case.
/// </summary>
internal static class GoldenVerifier
{
    /// <summary>Compares every tensor of <paramref name="golden"/>; the checks come in the order of the expected file.</summary>
    public static IReadOnlyList<TensorCheck> Verify(GoldenCase golden, IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(golden);
        using var model = new Gpt(backend, golden.Model);
        GptWeights.Load(model, golden.Weights, Path.Combine(golden.Directory, "model.safetensors"));
        using var cache = new ActivationCache(HookPoints.All(golden.Model));
        float loss = model.Forward(golden.Tokens, golden.Targets, golden.Batch, golden.Time, cache);

        var ours = new Dictionary<string, float[]>(StringComparer.Ordinal)
        {
            ["logits"] = model.Logits.ToArray(),
            ["loss"] = [loss],
        };
        foreach (string hook in cache.Requested) ours["act." + hook] = cache[hook].ToArray();
        model.Backward();
        foreach (var t in GptWeights.Export(model, model.Gradients, "grad.")) ours[t.Name] = t.ToFloat32();
        using var opt = new AdamW(model, golden.Optimizer);
        opt.Step(golden.Optimizer.LearningRate);
        foreach (var t in GptWeights.Export(model, model.Parameters, "after_step.")) ours[t.Name] = t.ToFloat32();

        var checks = new List<TensorCheck>();
        foreach (var (name, expected) in golden.Expected)
        {
            double tol = golden.Tolerances[Kind(name)];
            if (!ours.TryGetValue(name, out var mine) || mine.Length != expected.ElementCount)
            {
                checks.Add(new TensorCheck(name, double.PositiveInfinity, tol));
                continue;
            }
            checks.Add(new TensorCheck(name, RelativeError(mine, expected.ToFloat32()), tol));
        }
        return checks;
    }

    /// <summary>max|a − b| / max(max|b|, 1e-6): the golden README's error measure.</summary>
    public static double RelativeError(ReadOnlySpan<float> ours, ReadOnlySpan<float> expected)
    {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)ours[i] - expected[i]);
            if (double.IsNaN(d)) return double.NaN;
            maxDiff = Math.Max(maxDiff, d);
            maxRef = Math.Max(maxRef, Math.Abs((double)expected[i]));
        }
        return maxDiff / Math.Max(maxRef, 1e-6);
    }

    private static string Kind(string name) => name switch
    {
        "logits" => "logits",
        "loss" => "loss",
        _ when name.StartsWith("act.", StringComparison.Ordinal) => "act",
        _ when name.StartsWith("grad.", StringComparison.Ordinal) => "grad",
        _ when name.StartsWith("after_step.", StringComparison.Ordinal) => "after_step",
        _ => throw new InvalidCheckpointException($"expected.safetensors: tensor '{name}' is of no known kind (logits, loss, act.*, grad.*, after_step.*)"),
    };
}
