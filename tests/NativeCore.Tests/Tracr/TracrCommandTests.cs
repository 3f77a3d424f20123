using System.Text.Json.Nodes;
using NativeCore.Tracr;

namespace NativeCore.Tests.Tracr;

public class TracrCommandTests : TempDirectoryTest
{
    [Fact]
    public void Compile_eval_finetune_prune_attention_and_reft_run_end_to_end()
    {
        string compiled = Dir("counter"), tuned = Dir("ft"), pruned = Dir("prune"), maps = Dir("maps"), revived = Dir("reft");
        var (exit, stdout, stderr) = CliProcess.Run("tracr", "compile", "--program", "counter", "--max-len", "8", "--out", compiled);
        Assert.True(exit == 0, stderr);
        Assert.Contains("width 41, key size 10, MLP hidden 18", stdout, StringComparison.Ordinal);
        var sidecar = JsonNode.Parse(File.ReadAllText(Path.Combine(compiled, CompiledModel.SidecarName)))!;
        Assert.Equal("bin:False", sidecar["residual"]![0]!.GetValue<string>());
        Assert.Equal("compile", sidecar["lineage"]!["stage"]!.GetValue<string>());

        // With N = 8, every count w has w(w+1) < 100, so Tracr's default L decodes exactly.
        (exit, stdout, stderr) = CliProcess.Run("tracr", "eval", compiled, "--n", "2000");
        Assert.True(exit == 0, stderr);
        Assert.Contains("100.00 % of 2000 random inputs", stdout, StringComparison.Ordinal);

        (exit, stdout, stderr) = CliProcess.Run("finetune", "--setting", "tracr", "--from", compiled, "--steps", "20", "--set", "batch_size=16", "--set", "grad_clip=1", "--set", "eval_every=10", "--ctr", "1", "--out", tuned);
        Assert.True(exit == 0, stderr);
        var tunedSidecar = JsonNode.Parse(File.ReadAllText(Path.Combine(tuned, CompiledModel.SidecarName)))!;
        Assert.Equal("finetune", tunedSidecar["lineage"]!["stage"]!.GetValue<string>());
        Assert.Equal(NativeCore.Training.Checkpoint.Sha256(Path.Combine(compiled, "model.safetensors")), tunedSidecar["lineage"]!["parent"]!["sha256"]!.GetValue<string>());
        Assert.Equal("1", tunedSidecar["lineage"]!["settings"]!["ctr"]!.GetValue<string>());
        Assert.Equal(20 + 3, File.ReadAllLines(Path.Combine(tuned, "metrics.jsonl")).Length);

        (exit, _, stderr) = CliProcess.Run("prune", "--setting", "tracr", "--model", tuned, "--units", "weights", "--k", "0..2", "--out", pruned);
        Assert.True(exit == 0, stderr);
        Assert.Equal(1 + 3, File.ReadAllLines(Path.Combine(pruned, "prune-units.csv")).Length);
        Assert.True(File.Exists(Path.Combine(pruned, "prune.csv")));
        Assert.True(new FileInfo(Path.Combine(pruned, "prune.png")).Length > 1000);

        (exit, _, stderr) = CliProcess.Run("attention", "--setting", "tracr", "--model", compiled, "--compare", tuned, "--input", "abacab", "--out", maps);
        Assert.True(exit == 0, stderr);
        Assert.True(File.Exists(Path.Combine(maps, "attention-block1-head0.png")));
        Assert.True(File.Exists(Path.Combine(maps, "residual-counter.png")));

        (exit, stdout, stderr) = CliProcess.Run("reft", "--setting", "tracr", "--model", tuned, "--lr", "1e-4", "--steps", "10", "--eval-every", "5", "--set", "batch_size=8", "--out", revived);
        Assert.True(exit == 0, stderr);
        Assert.Contains("steps to 90 % on C_Te=0 O_PT(a)", stdout, StringComparison.Ordinal);
        var reftSidecar = JsonNode.Parse(File.ReadAllText(Path.Combine(revived, CompiledModel.SidecarName)))!;
        Assert.Equal("reft", reftSidecar["lineage"]!["stage"]!.GetValue<string>());
        Assert.Equal("0", reftSidecar["lineage"]!["settings"]!["noise_std"]!.GetValue<string>());
    }

    [Fact]
    public void Max_identifier_fine_tunes_to_the_seventh_smallest_and_back()
    {
        string compiled = Dir("maxid"), tuned = Dir("ft"), revived = Dir("reft");
        var (exit, _, stderr) = CliProcess.Run("tracr", "compile", "--program", "maxid", "--out", compiled);
        Assert.True(exit == 0, stderr);
        (exit, var stdout, stderr) = CliProcess.Run("finetune", "--setting", "tracr", "--from", compiled, "--steps", "6", "--lr", "1e-3", "--ctr", "1", "--set", "batch_size=8", "--set", "eval_every=3", "--set", "eval_size=64", "--out", tuned);
        Assert.True(exit == 0, stderr);
        Assert.Contains("C_Te=1 O_FT(7th)", stdout, StringComparison.Ordinal);
        Assert.Contains("steps to 90 % on C_Te=0 O_FT(7th)", stdout, StringComparison.Ordinal);
        (exit, stdout, stderr) = CliProcess.Run("reft", "--setting", "tracr", "--model", tuned, "--steps", "4", "--eval-every", "2", "--set", "batch_size=8", "--set", "eval_size=64", "--out", revived);
        Assert.True(exit == 0, stderr);
        Assert.Contains("steps to 90 % on C_Te=0 O_PT(5th)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_inputs_name_what_is_wrong()
    {
        var (exit, _, stderr) = CliProcess.Run("tracr", "compile", "--program", "sorter", "--out", Dir("x"));
        Assert.Equal(2, exit);
        Assert.Contains("'sorter'", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = CliProcess.Run("tracr", "eval", Dir("missing"));
        Assert.Equal(ExitCodes.InputOutput, exit);
        Assert.Contains(CompiledModel.SidecarName, stderr, StringComparison.Ordinal);
        (exit, _, _) = CliProcess.Run("tracr", "compile", "--program", "counter", "--max-len", "6", "--out", Dir("c"));
        Assert.Equal(0, exit);
        (exit, _, stderr) = CliProcess.Run("finetune", "--setting", "tracr", "--from", Dir("c"), "--set", "momentm=0.5", "--out", Dir("ft"));
        Assert.Equal(2, exit);
        Assert.Contains("momentm", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = CliProcess.Run("finetune", "--setting", "tracr", "--from", Dir("c"), "--set", "lr=fast", "--out", Dir("ft"));
        Assert.Equal(2, exit);
        Assert.Contains("'fast'", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = CliProcess.Run("prune", "--setting", "tracer", "--model", Dir("c"));
        Assert.Equal(2, exit);
        Assert.Contains("'tracer'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Noise_and_training_are_deterministic_for_a_seed()
    {
        var model = TracrPrograms.Compile("counter", new TracrOptions(6));
        model.Save(Dir("c"));
        float[] Train(string name, ulong seed)
        {
            using var be = NativeCore.Backends.BackendRegistry.Create("cpu");
            var recipe = new TracrRecipe { Steps = 5, BatchSize = 8, EvalEvery = 5, EvalSize = 32, Seed = seed, CorrelatedShare = 0.5, GradClip = 1 };
            var result = TracrTraining.Train(CompiledModel.Load(Dir("c")), Dir("c"), recipe, be, Dir(name), "finetune");
            return result.Model.Weights["transformer.h.1.mlp.c_fc.weight"];
        }
        Assert.Equal(Train("a", 3), Train("b", 3));
        Assert.NotEqual(Train("c1", 3), Train("d", 4));
    }
}
