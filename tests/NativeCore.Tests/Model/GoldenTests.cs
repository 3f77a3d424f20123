using NativeCore.Backends;
using NativeCore.Cli.Commands;
using NativeCore.Golden;

namespace NativeCore.Tests.Model;

public class GoldenTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string backend in BackendRegistry.Names)
            foreach (string name in new[] { "tiny", "small", "tied" })
                if (!TestBackends.IsEmulator(backend) || name == "tiny") data.Add(name, backend);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Verify_passes_every_tensor(string name, string backend)
    {
        var golden = GoldenCase.Load(SharedFolder.Golden(name));
        using var be = TestBackends.Create(backend);
        var checks = GoldenVerifier.Verify(golden, be);
        Assert.Equal(golden.Expected.Count, checks.Count);
        Assert.All(checks, c => Assert.True(c.Passed, $"{name}/{backend}: {c.Name} error {c.Error:E3} > {c.Tolerance:E1}"));
    }

    [Fact]
    public void Every_case_in_the_shared_folder_passes_through_the_cli()
    {
        var cases = SharedFolder.GoldenCases().ToList();
        Assert.NotEmpty(cases);
        foreach (string dir in cases)
        {
            using var output = new StringWriter();
            int exit = VerifyCommand.Run(dir, "cpu", output);
            string last = output.ToString().TrimEnd().Split('\n')[^1];
            Assert.Equal("verify: PASS", last);
            Assert.Equal(0, exit);
        }
    }

    [Fact]
    public void Verify_of_tiny_passes_through_the_cli_on_ilgpu_cpu()
    {
        using var output = new StringWriter();
        int exit = VerifyCommand.Run(SharedFolder.Golden("tiny"), "ilgpu-cpu", output);
        Assert.Equal("verify: PASS", output.ToString().TrimEnd().Split('\n')[^1]);
        Assert.Equal(0, exit);
    }

    [Fact]
    public void A_perturbed_expectation_fails_naming_the_tensor()
    {
        // Copy a case, nudge one gradient of the expected file, and check verify reports exactly that tensor.
        string src = SharedFolder.Golden("tiny");
        string dir = Directory.CreateTempSubdirectory("golden-").FullName;
        foreach (string f in Directory.GetFiles(src)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        var (tensors, meta) = NativeCore.IO.Safetensors.Read(Path.Combine(dir, "expected.safetensors"));
        const string victim = "grad.transformer.h.1.mlp.c_fc.weight";
        var values = tensors[victim].ToFloat32();
        values[5] += 0.05f * values.Max(Math.Abs);
        var changed = tensors.Values.Select(t => t.Name == victim ? NativeCore.IO.SafeTensor.FromFloat32(victim, t.Shape, values) : t);
        NativeCore.IO.Safetensors.Write(Path.Combine(dir, "expected.safetensors"), changed, meta);

        using var output = new StringWriter();
        int exit = VerifyCommand.Run(dir, "cpu", output);
        Assert.Equal(1, exit);
        Assert.StartsWith($"verify: FAIL {victim} ", output.ToString().TrimEnd().Split('\n')[^1]);
        Directory.Delete(dir, true);
    }
}
