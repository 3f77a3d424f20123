using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using NativeCore.Backends.Cpu;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Stories;
using NativeCore.Tracr;
using NativeCore.Training;
using Xunit.Abstractions;

namespace NativeCore.Tests.Fuzz;

/// <summary>
/// Mutated sidecars (checkpoint.json, tracr.json, stories.json) load, or are refused with
/// <see cref="InvalidCheckpointException"/> naming the file.
/// </summary>
public sealed class SidecarFuzzTests(ITestOutputHelper output) : TempDirectoryTest
{
    private static readonly Type[] Documented = [typeof(InvalidCheckpointException)];

    [Fact]
    public void Mutated_checkpoint_json_loads_or_is_refused_naming_the_file()
    {
        const int iterations = 3000;
        var config = ConfigLoader.Load("smoke");
        var sidecar = new CheckpointSidecar
        {
            Stage = "finetune", Step = 12, TotalSteps = 20, Seed = 3, DataSeed = 4, Config = config,
            Metrics = new JsonObject { ["loss"] = 1.25, ["eval"] = new JsonObject { ["C"] = 0.5 } },
            Lineage = new Lineage
            {
                Parent = new ParentRef("runs/pt/checkpoints/step-0000040", new string('b', 64), "pretrain"), Stage = "finetune", Task = "C",
                Settings = config.Finetune, DataSeed = 4, Backend = "cpu", StartedUtc = "2025-01-01T00:00:00Z", EndedUtc = "2025-01-01T00:01:00Z",
            },
        };
        string dir;
        using (var backend = new CpuBackend())
        using (var gpt = new Gpt(backend, config.Model))
        using (var adam = new AdamW(gpt, new AdamWConfig()))
        {
            dir = Checkpoint.Save(Dir("run"), gpt, adam, sidecar, keepLast: 1);
        }
        string path = Path.Combine(dir, ModelCard.FileName);
        var original = new JsonOriginal(File.ReadAllBytes(path));
        static string Fingerprint(object? s) => JsonSerializer.Serialize((CheckpointSidecar)s!, ConfigLoader.Writing);
        string expected = Fingerprint(Checkpoint.ReadSidecar(dir));

        var tally = FuzzProperty.Check(output, "grammar model.json (Checkpoint.ReadSidecar)", original.Mutations, iterations, "checkpoint01", m =>
        {
            byte[] bytes = original.Apply(m);
            File.WriteAllBytes(path, bytes);
            return new Trial(() => Checkpoint.ReadSidecar(dir), Documented, [path], bytes.Length,
                original.SameMeaning(bytes) ? (expected, Fingerprint) : null);
        });
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }

    [Fact]
    public void Mutated_tracr_json_and_weights_load_or_are_refused_naming_the_file()
    {
        const int iterations = 1600;
        string dir = Dir("compiled");
        TracrPrograms.Compile("counter", new TracrOptions(8, 100)).Save(dir);
        string sidecar = Path.Combine(dir, CompiledModel.SidecarName), weights = Path.Combine(dir, "model.safetensors");
        var json = new JsonOriginal(File.ReadAllBytes(sidecar));
        var tensors = new SafetensorsFile(File.ReadAllBytes(weights));
        static string Fingerprint(object? m)
        {
            var model = (CompiledModel)m!;
            return JsonSerializer.Serialize(model) + string.Join(";", model.Weights.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => $"{kv.Key}:{Convert.ToHexStringLower(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(kv.Value.AsSpan())))}"));
        }
        string expected = Fingerprint(CompiledModel.Load(dir));

        // Most cases damage the sidecar; one in four damages the weights, whose shapes the sidecar fixes.
        var gen = Gen.Frequency(
            (3, json.Mutations.Select(m => new TracrCase(m, null))),
            (1, SafetensorsMutation.Of(tensors).Select(m => new TracrCase(null, m))));
        var tally = FuzzProperty.Check(output, "tracr model.json + model.safetensors (CompiledModel.Load)", gen, iterations, "tracrjson001", c =>
        {
            byte[] sidecarBytes = c.Sidecar is null ? json.Bytes : json.Apply(c.Sidecar);
            byte[] weightBytes = c.Weights is null ? tensors.Bytes : c.Weights.Apply(tensors);
            File.WriteAllBytes(sidecar, sidecarBytes);
            File.WriteAllBytes(weights, weightBytes);
            bool same = json.SameMeaning(sidecarBytes) && tensors.SameMeaning(weightBytes);
            return new Trial(() => CompiledModel.Load(dir), Documented, [sidecar, weights], sidecarBytes.Length + weightBytes.Length,
                same ? (expected, Fingerprint) : null);
        });
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }

    private sealed record TracrCase(JsonFileMutation? Sidecar, SafetensorsMutation? Weights)
    {
        public override string ToString() => Sidecar is not null ? $"tracr.json: {Sidecar}" : $"model.safetensors: {Weights}";
    }

    [Fact]
    public void Mutated_stories_json_loads_or_is_refused_naming_the_file()
    {
        const int iterations = 3000;
        string dir = Dir("stories");
        var config = new StoriesConfig
        {
            Model = new StoriesConfig().Model with { NLayer = 1, NHead = 2, NEmbd = 16, InnerOverride = 32, BlockSize = 32, VocabSize = 40 },
            Steps = 10, BatchSize = 2,
        };
        var info = new StoriesModel
        {
            Config = config, Stage = "delete", Step = 10, EvalLoss = [[0, 3.5], [10, 2.25]],
            Parent = new ParentRef("runs/pt", new string('c', 64), "pretrain"),
        };
        using (var backend = new CpuBackend())
        using (var gpt = new Gpt(backend, config.Model))
        {
            info.Save(dir, gpt);
        }
        string path = Path.Combine(dir, StoriesModel.SidecarName);
        var original = new JsonOriginal(File.ReadAllBytes(path));
        static string Fingerprint(object? s) => JsonSerializer.Serialize((StoriesModel)s!);
        string expected = Fingerprint(StoriesModel.Read(dir));

        var tally = FuzzProperty.Check(output, "stories model.json (StoriesModel.Read)", original.Mutations, iterations, "storiesjson1", m =>
        {
            byte[] bytes = original.Apply(m);
            File.WriteAllBytes(path, bytes);
            return new Trial(() => StoriesModel.Read(dir), Documented, [path], bytes.Length, original.SameMeaning(bytes) ? (expected, Fingerprint) : null);
        });
        FuzzProperty.AssertBothOutcomes(tally, iterations);
    }
}
