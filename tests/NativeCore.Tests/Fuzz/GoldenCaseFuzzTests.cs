using System.Text.Json;
using CsCheck;
using NativeCore.Golden;
using Xunit.Abstractions;

namespace NativeCore.Tests.Fuzz;

/// <summary>
/// A golden case folder with one mutated file (case.json or a safetensors file) loads, or is refused with the
/// documented exception naming a file of the case.
/// </summary>
public sealed class GoldenCaseFuzzTests(ITestOutputHelper output) : TempDirectoryTest
{
    private const int Iterations = 1600;

    private static readonly string[] Files = ["case.json", "model.safetensors", "inputs.safetensors", "expected.safetensors"];

    private static string Fingerprint(object? loaded)
    {
        var g = (GoldenCase)loaded!;
        return JsonSerializer.Serialize(new
        {
            g.Model, g.Optimizer, Tolerances = g.Tolerances.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList(), g.Tokens, g.Targets, g.Batch, g.Time,
            Weights = SafetensorsFile.Fingerprint(g.Weights), Expected = SafetensorsFile.Fingerprint(g.Expected),
        });
    }

    private sealed record GoldenMutation(int File, JsonFileMutation? Json, SafetensorsMutation? Tensors)
    {
        public override string ToString() => $"{Files[File]}: {(object?)Json ?? Tensors}";
    }

    [Fact]
    public void A_golden_case_with_a_mutated_file_loads_or_is_refused_naming_the_file()
    {
        string dir = Dir("tiny");
        Directory.CreateDirectory(dir);
        string[] paths = [.. Files.Select(f => Path.Combine(dir, f))];
        byte[][] originals = [.. Files.Select(f => File.ReadAllBytes(Path.Combine(SharedFolder.Golden("tiny"), f)))];
        for (int i = 0; i < Files.Length; i++) File.WriteAllBytes(paths[i], originals[i]);
        string expected = Fingerprint(GoldenCase.Load(dir));

        var json = new JsonOriginal(originals[0]);
        var tensors = originals.Skip(1).Select(b => new SafetensorsFile(b)).ToArray();
        var gen = Gen.Frequency(
            (3, json.Mutations.Select(m => new GoldenMutation(0, m, null))),
            (1, SafetensorsMutation.Of(tensors[0]).Select(m => new GoldenMutation(1, null, m))),
            (2, SafetensorsMutation.Of(tensors[1]).Select(m => new GoldenMutation(2, null, m))),
            (1, SafetensorsMutation.Of(tensors[2]).Select(m => new GoldenMutation(3, null, m))));
        int dirty = 0;
        var tally = FuzzProperty.Check(output, "golden case folder (GoldenCase.Load)", gen, Iterations, "goldencase01", c =>
        {
            // Only the file this case damages differs from the original; the one the case before damaged is restored.
            File.WriteAllBytes(paths[dirty], originals[dirty]);
            dirty = c.File;
            byte[] bytes = c.Json is not null ? json.Apply(c.Json) : c.Tensors!.Apply(tensors[c.File - 1]);
            File.WriteAllBytes(paths[c.File], bytes);
            bool same = c.Json is not null ? json.SameMeaning(bytes) : tensors[c.File - 1].SameMeaning(bytes);
            return new Trial(() => GoldenCase.Load(dir), [typeof(InvalidConfigException), typeof(InvalidCheckpointException)], paths,
                originals.Sum(o => (long)o.Length) + bytes.Length, same ? (expected, Fingerprint) : null);
        });
        FuzzProperty.AssertBothOutcomes(tally, Iterations);
    }
}
