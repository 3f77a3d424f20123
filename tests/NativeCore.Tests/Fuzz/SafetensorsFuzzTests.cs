using CsCheck;
using NativeCore.IO;
using Xunit.Abstractions;

namespace NativeCore.Tests.Fuzz;

/// <summary>Mutated safetensors files load, or are refused with <see cref="InvalidCheckpointException"/> naming the file.</summary>
public sealed class SafetensorsFuzzTests(ITestOutputHelper output) : TempDirectoryTest
{
    private const int Iterations = 6000;

    /// <summary>
    /// The originals: the tiny golden case's inputs and weights (written by the reference), and one from our writer with
    /// every dtype, metadata, a scalar, an empty tensor and a name that needs escaping.
    /// </summary>
    private SafetensorsFile[] Originals()
    {
        string written = Dir("written.safetensors");
        Safetensors.Write(written,
        [
            SafeTensor.FromFloat32("w", [2, 3], [1, 2, 3, 4, 5, 6]),
            SafeTensor.FromFloat64("scale", [], [0.5]),
            SafeTensor.FromInt32("ids", [4], [7, 8, -9, 10]),
            new SafeTensor("longs", SafeDType.I64, [2], BitConverter.GetBytes(3L).Concat(BitConverter.GetBytes(-4L)).ToArray()),
            SafeTensor.FromFloat32("empty", [0, 3], []),
            SafeTensor.FromFloat32("name \"with\" quotes\\", [1], [7]),
        ], new Dictionary<string, string> { ["format"] = "pt", ["step"] = "12" });
        return [.. new[] { Path.Combine(SharedFolder.Golden("tiny"), "inputs.safetensors"), Path.Combine(SharedFolder.Golden("tiny"), "model.safetensors"), written }
            .Select(p => new SafetensorsFile(File.ReadAllBytes(p)))];
    }

    private static readonly string[] Names = ["tiny/inputs.safetensors", "tiny/model.safetensors", "written.safetensors"];

    private sealed record Case(string Name, int Original, SafetensorsMutation Mutation)
    {
        public override string ToString() => $"{Name}: {Mutation}";
    }

    [Fact]
    public void Mutated_safetensors_load_or_are_refused_naming_the_file()
    {
        var originals = Originals();
        string[] fingerprints = [.. originals.Select(o => SafetensorsFile.Fingerprint(Safetensors.Parse(o.Bytes, "original")))];
        string path = Dir("fuzz.safetensors");
        var mutations = originals.Select(SafetensorsMutation.Of).ToArray();
        var gen = Gen.Int[0, originals.Length - 1].SelectMany(o => mutations[o], (o, m) => new Case(Names[o], o, m));
        var tally = FuzzProperty.Check(output, "safetensors (Safetensors.Read)", gen, Iterations, "safetensor01", c =>
        {
            var original = originals[c.Original];
            byte[] bytes = c.Mutation.Apply(original);
            File.WriteAllBytes(path, bytes);
            return new Trial(() => Safetensors.Read(path), [typeof(InvalidCheckpointException)], [path], bytes.Length,
                original.SameMeaning(bytes) ? (fingerprints[c.Original], r => SafetensorsFile.Fingerprint(((IReadOnlyDictionary<string, SafeTensor>, IReadOnlyDictionary<string, string>))r!)) : null);
        });
        // A fuzzer whose every case is refused (or loads) tests one branch only: both must occur, and so must
        // mutations that keep the meaning (a flipped data bit, a header edit that is re-padded).
        Assert.Equal(Iterations * FuzzProperty.Scale, tally.Cases);
        Assert.True(tally.Loaded > tally.Cases / 20, $"only {tally.Loaded} mutated files loaded");
        Assert.True(tally.Refused > tally.Cases / 5, $"only {tally.Refused} mutated files were refused");
        Assert.True(tally.LoadedAsOriginal > 0, "no mutation that kept the meaning was checked against the original");
    }
}
