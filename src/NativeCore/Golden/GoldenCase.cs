using System.Text.Json;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Golden;

/// <summary>
/// One PyTorch-made reference case (see shared/golden/README.md): config, weights, inputs and every expected tensor.
/// </summary>
internal sealed class GoldenCase
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

    /// <summary>The largest relative-error tolerance a case may set for any kind of tensor.</summary>
    public const double MaxTolerance = 0.01;

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
        if (File.Exists(directory)) throw new MissingInputException($"{directory} is a file; give the golden case's folder (case.json and three safetensors files)");
        string casePath = Path.Combine(directory, "case.json");
        using (var doc = IO.JsonFiles.Parse(casePath, "a golden case folder holds case.json and three safetensors files"))
        {
            var root = doc.RootElement;
            // TryGetProperty on anything but an object throws InvalidOperationException.
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidConfigException($"{casePath}: must hold a JSON object, got {root.ValueKind.ToString().ToLowerInvariant()}");
            var model = Section<GptConfig>(root, "model", casePath);
            string activation = !root.GetProperty("model").TryGetProperty("activation", out var act) ? "gelu_tanh"
                : act.ValueKind == JsonValueKind.String ? act.GetString()! : act.GetRawText();
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
            {
                if (!tolerances.TryGetValue(kind, out double t)) throw new InvalidConfigException($"{casePath}: tolerances.{kind} is missing");
                // A tolerance that lets anything pass makes verify a check that cannot fail.
                if (!(t > 0 && t <= MaxTolerance)) throw new InvalidConfigException($"{casePath}: tolerances.{kind} = {t} is outside (0, {MaxTolerance}]");
            }

            var weights = Safetensors.Read(Path.Combine(directory, "model.safetensors")).Tensors;
            string inputsPath = Path.Combine(directory, "inputs.safetensors");
            var inputs = Safetensors.Read(inputsPath).Tensors;
            if (!inputs.TryGetValue("tokens", out var tok) || tok.Shape.Length != 2)
                throw new InvalidCheckpointException($"{inputsPath}: tensor 'tokens' [B,T] is missing");
            if (!inputs.TryGetValue("targets", out var tgt) || !tgt.Shape.SequenceEqual(tok.Shape))
                throw new InvalidCheckpointException($"{inputsPath}: tensor 'targets' must exist with the shape of 'tokens'");
            int batch = tok.Shape[0], time = tok.Shape[1];
            if (batch == 0 || time == 0) throw new InvalidCheckpointException($"{inputsPath}: tensor 'tokens' [{batch},{time}] is empty");
            if (time > model.BlockSize) throw new InvalidCheckpointException($"{inputsPath}: tensor 'tokens' has T={time}, more than model.block_size {model.BlockSize} in case.json");
            int[] tokens = Ids(tok, inputsPath), targets = Ids(tgt, inputsPath);
            // The kernels index embedding and logit rows with these ids unchecked, so a bad id must stop here.
            if (Array.FindIndex(tokens, id => (uint)id >= (uint)model.VocabSize) is int bad and >= 0)
                throw new InvalidCheckpointException($"{inputsPath}: tokens[{bad / time},{bad % time}] = {tokens[bad]} is outside the vocabulary [0, {model.VocabSize}) of case.json");
            if (Array.FindIndex(targets, id => id != -1 && (uint)id >= (uint)model.OutputSize) is int badTarget and >= 0)
                throw new InvalidCheckpointException($"{inputsPath}: targets[{badTarget / time},{badTarget % time}] = {targets[badTarget]} is neither -1 nor in the vocabulary [0, {model.OutputSize}) of case.json");

            string expectedPath = Path.Combine(directory, "expected.safetensors");
            var expected = Safetensors.Read(expectedPath).Tensors;
            // With nothing to compare, verify would pass vacuously.
            if (expected.Count == 0) throw new InvalidCheckpointException($"{expectedPath}: holds no tensors; a golden case expects logits, loss, act.*, grad.* and after_step.*");
            foreach (var name in expected.Keys)
            {
                if (name is not ("logits" or "loss") && !name.StartsWith("act.", StringComparison.Ordinal) && !name.StartsWith("grad.", StringComparison.Ordinal) && !name.StartsWith("after_step.", StringComparison.Ordinal))
                    throw new InvalidCheckpointException($"{expectedPath}: tensor '{name}' is of no known kind (logits, loss, act.*, grad.*, after_step.*)");
                if (expected[name].DType is not (SafeDType.F32 or SafeDType.F64))
                    throw new InvalidCheckpointException($"{expectedPath}: tensor '{name}' has dtype {expected[name].DType}, expected F32 or F64");
            }
            // Every output the model makes must be compared, or a case holding only the loss would pass a broken backward.
            var required = new List<string> { "logits", "loss" };
            foreach (var p in new ParameterLayout(model).Parameters)
            {
                required.Add("grad." + p.Name);
                required.Add("after_step." + p.Name);
            }
            var missing = required.Where(r => !expected.ContainsKey(r)).ToList();
            if (missing.Count > 0)
                throw new InvalidCheckpointException($"{expectedPath}: {missing.Count} required tensor(s) missing, first '{missing[0]}'; a golden case compares logits, loss and every grad.* and after_step.* of the model");
            return new GoldenCase(directory, model, optimizer, tolerances, weights, tokens, targets, batch, time, expected);
        }
    }

    private static int[] Ids(SafeTensor tensor, string path)
    {
        try
        {
            return tensor.ToInt32();
        }
        catch (InvalidCheckpointException e)
        {
            throw new InvalidCheckpointException($"{path}: {e.Message}");
        }
    }

    private static T Section<T>(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var section) || section.ValueKind != JsonValueKind.Object)
            throw new InvalidConfigException($"{path}: missing '{name}' object");
        try
        {
            return section.Deserialize(IO.JsonMetadata.Compact.For<T>()) ?? throw new InvalidConfigException($"{path}: '{name}' is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidConfigException($"{path}: '{name}': {e.Message}");
        }
    }
}
