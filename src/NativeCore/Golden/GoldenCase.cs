using System.Text.Json;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Golden;

/// <summary>
/// One PyTorch-made reference case (see shared/golden/README.md): config, weights, inputs and every expected tensor.
/// </summary>
public sealed class GoldenCase
{
    private GoldenCase(string directory, GptConfig model, AdamWConfig optimizer, IReadOnlyDictionary<string, double> tolerances,
        IReadOnlyDictionary<string, SafeTensor> weights, int[] tokens, int[] targets, int batch, int time, IReadOnlyDictionary<string, SafeTensor> expected)
    {
        Directory = directory;
        Model = model;
        Optimizer = optimizer;
        Tolerances = tolerances;
        Weights = weights;
        Tokens = tokens;
        Targets = targets;
        Batch = batch;
        Time = time;
        Expected = expected;
    }

    /// <summary>The case's folder.</summary>
    public string Directory { get; }

    /// <summary>The model config from case.json.</summary>
    public GptConfig Model { get; }

    /// <summary>The one-step optimiser settings from case.json.</summary>
    public AdamWConfig Optimizer { get; }

    /// <summary>Tolerance per tensor kind: logits, loss, act, grad, after_step.</summary>
    public IReadOnlyDictionary<string, double> Tolerances { get; }

    /// <summary>The model's parameters.</summary>
    public IReadOnlyDictionary<string, SafeTensor> Weights { get; }

    /// <summary>Token ids [B,T].</summary>
    public int[] Tokens { get; }

    /// <summary>Targets [B,T]; −1 leaves a position out of the loss.</summary>
    public int[] Targets { get; }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>T.</summary>
    public int Time { get; }

    /// <summary>Expected tensors by name (logits, loss, act.*, grad.*, after_step.*).</summary>
    public IReadOnlyDictionary<string, SafeTensor> Expected { get; }

    /// <summary>Loads and validates the case in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidConfigException">case.json is missing or malformed.</exception>
    /// <exception cref="InvalidCheckpointException">A safetensors file is missing or malformed.</exception>
    public static GoldenCase Load(string directory)
    {
        string casePath = Path.Combine(directory, "case.json");
        using (var doc = IO.JsonFiles.Parse(casePath, "a golden case folder holds case.json and three safetensors files"))
        {
            var root = doc.RootElement;
            var model = Section<GptConfig>(root, "model", casePath);
            string activation = root.GetProperty("model").TryGetProperty("activation", out var act) ? act.GetString() ?? "" : "gelu_tanh";
            if (activation != "gelu_tanh") throw new InvalidConfigException($"{casePath}: model.activation '{activation}' is not supported (only gelu_tanh)");
            try
            {
                model.Validate();
            }
            catch (InvalidConfigException e)
            {
                throw new InvalidConfigException($"{casePath}: {e.Message}");
            }
            var optimizer = Section<AdamWConfig>(root, "optimizer", casePath);
            var tolerances = new Dictionary<string, double>(StringComparer.Ordinal);
            if (!root.TryGetProperty("tolerances", out var tol) || tol.ValueKind != JsonValueKind.Object)
                throw new InvalidConfigException($"{casePath}: missing 'tolerances' object");
            foreach (var p in tol.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Number) tolerances[p.Name] = p.Value.GetDouble();
            foreach (string kind in new[] { "logits", "loss", "act", "grad", "after_step" })
                if (!tolerances.ContainsKey(kind)) throw new InvalidConfigException($"{casePath}: tolerances.{kind} is missing");

            var weights = Safetensors.Read(Path.Combine(directory, "model.safetensors")).Tensors;
            string inputsPath = Path.Combine(directory, "inputs.safetensors");
            var inputs = Safetensors.Read(inputsPath).Tensors;
            if (!inputs.TryGetValue("tokens", out var tok) || tok.Shape.Length != 2)
                throw new InvalidCheckpointException($"{inputsPath}: tensor 'tokens' [B,T] is missing");
            if (!inputs.TryGetValue("targets", out var tgt) || !tgt.Shape.SequenceEqual(tok.Shape))
                throw new InvalidCheckpointException($"{inputsPath}: tensor 'targets' must exist with the shape of 'tokens'");
            var expected = Safetensors.Read(Path.Combine(directory, "expected.safetensors")).Tensors;
            return new GoldenCase(directory, model, optimizer, tolerances, weights, tok.ToInt32(), tgt.ToInt32(), tok.Shape[0], tok.Shape[1], expected);
        }
    }

    private static T Section<T>(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var section) || section.ValueKind != JsonValueKind.Object)
            throw new InvalidConfigException($"{path}: missing '{name}' object");
        try
        {
            return section.Deserialize<T>() ?? throw new InvalidConfigException($"{path}: '{name}' is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException($"{path}: '{name}': {e.Message}");
        }
    }
}
