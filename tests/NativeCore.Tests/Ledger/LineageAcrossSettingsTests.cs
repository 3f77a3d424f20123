using NativeCore.Backends;
using NativeCore.Ledger;
using NativeCore.Stories;
using NativeCore.Tracr;
using NativeCore.Training;

namespace NativeCore.Tests.Ledger;

// In the Console collection: one test reads the CLI's stderr in-process.
[Collection("Console")]
public sealed class LineageAcrossSettingsTests : TempDirectoryTest
{
    private static readonly string[] TinyStories = ["model.n_layer=1", "model.n_head=2", "model.n_embd=32", "model.n_inner=64", "model.block_size=64", "batch_size=4", "eval_every=2", "steps=2"];

    /// <summary>compile → finetune → reft of a small Counter in c, ft and reft, in-process and a couple of steps each.</summary>
    private void TracrChain()
    {
        var compiled = TracrPrograms.Compile("counter", new TracrOptions(6)) with { Lineage = new TracrLineage { Stage = "compile" } };
        compiled.Save(Dir("c"));
        using var be = BackendRegistry.Create("cpu");
        var recipe = new TracrRecipe { Steps = 2, BatchSize = 8, EvalEvery = 2, EvalSize = 32 };
        TracrTraining.Train(CompiledModel.Load(Dir("c")), Dir("c"), recipe, be, Dir("ft"), "finetune");
        TracrTraining.Train(CompiledModel.Load(Dir("ft")), Dir("ft"), recipe with { Reverse = true, NoiseStd = 0 }, be, Dir("reft"), "reft");
    }

    /// <summary>A tiny stories pre-training in pt and a reFT of it in reft.</summary>
    private void StoriesChain()
    {
        using var be = BackendRegistry.Create("cpu");
        var pre = StoriesTraining.Train(null, new StoriesConfig().WithOverrides(TinyStories), be, Dir("pt"), "pretrain");
        StoriesTraining.Train(Dir("pt"), pre.Config.WithOverrides(["protocol=twist"]), be, Dir("sreft"), "reft");
    }

    [Fact]
    public void Lineage_of_a_tracr_reft_shows_compile_finetune_reft_in_order()
    {
        string compiled = Dir("counter"), tuned = Dir("ft"), revived = Dir("reft");
        var (exit, _, stderr) = CliProcess.Run("tracr", "compile", "--program", "counter", "--max-len", "6", "--out", compiled);
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = CliProcess.Run("finetune", "--setting", "tracr", "--from", compiled, "--steps", "2", "--ctr", "1", "--set", "batch_size=8", "--set", "eval_every=2", "--set", "eval_size=32", "--out", tuned);
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = CliProcess.Run("reft", "--setting", "tracr", "--model", tuned, "--steps", "2", "--eval-every", "2", "--set", "batch_size=8", "--set", "eval_size=32", "--out", revived);
        Assert.True(exit == 0, stderr);

        var chain = LineageChain.Walk(revived);
        Assert.Equal([compiled, tuned, revived], chain.Select(l => Path.GetFullPath(l.Directory)));
        Assert.Equal(["compile", "finetune", "reft"], chain.Select(l => l.Stage));
        Assert.All(chain, l => Assert.Equal(LineageSetting.Tracr, l.Setting));
        Assert.Null(chain[0].Parent);
        Assert.Equal((chain[0].Sha256, "compile"), (chain[1].Parent!.Sha256, chain[1].Parent!.Stage));
        Assert.Equal((chain[1].Sha256, "finetune"), (chain[2].Parent!.Sha256, chain[2].Parent!.Stage));
        Assert.Equal(Checkpoint.Sha256(Path.Combine(revived, "model.safetensors")), chain[2].Sha256);
        Assert.Equal("6", chain[0].Settings["max_len"]);
        Assert.Equal("1", chain[1].Settings["ctr"]);
        Assert.All(chain, l => Assert.Equal("counter", l.Settings["program"]));
        Assert.All(chain, l => Assert.False(l.ParentChanged));
        Assert.All(chain, l => Assert.False(string.IsNullOrEmpty(l.User)));

        (exit, var stdout, stderr) = CliProcess.Run("lineage", revived);
        Assert.True(exit == 0, stderr);
        var heads = stdout.Split('\n').Where(line => line.TrimStart().StartsWith("tracr ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, heads.Count);
        Assert.StartsWith("   tracr compile, counter, sha256 ", heads[0], StringComparison.Ordinal);
        Assert.StartsWith("     tracr finetune, step 2/2, counter, the fine-tuning target", heads[1], StringComparison.Ordinal);
        Assert.StartsWith("       tracr reft, step 2/2, counter, the compiled capability", heads[2], StringComparison.Ordinal);
        Assert.Contains($"└─ {revived}", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lineage_flags_a_tracr_parent_whose_weights_changed_after_the_reft()
    {
        TracrChain();
        string weights = Path.Combine(Dir("ft"), "model.safetensors");
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x01; // the last byte of the last tensor: still a valid file, different weights
        File.WriteAllBytes(weights, bytes);

        var chain = LineageChain.Walk(Dir("reft"));
        Assert.Equal([false, true, false], chain.Select(l => l.ParentChanged));
        var (exit, stdout, stderr) = CliProcess.Run("lineage", Dir("reft"));
        Assert.True(exit == 0, stderr);
        Assert.Single(stdout.Split('\n'), line => line.Contains("warning: these weights changed", StringComparison.Ordinal));
    }

    [Fact]
    public void Lineage_through_an_unreadable_tracr_sidecar_names_the_file()
    {
        TracrChain();
        string sidecar = Path.Combine(Dir("ft"), CompiledModel.SidecarName);
        File.WriteAllText(sidecar, "{ \"model\": ");
        var e = Assert.Throws<InvalidCheckpointException>(() => LineageChain.Walk(Dir("reft")));
        Assert.Contains(sidecar, e.Message, StringComparison.Ordinal);
        var (exit, err) = CliCapture.Run("lineage", Dir("reft"));
        Assert.Equal(ExitCodes.Format, exit);
        Assert.Contains(sidecar, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Lineage_through_a_tracr_sidecar_whose_parent_lacks_its_hash_names_the_file()
    {
        TracrChain();
        string sidecar = Path.Combine(Dir("ft"), CompiledModel.SidecarName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(sidecar))!;
        json["lineage"]!["parent"]!["sha256"] = null;
        File.WriteAllText(sidecar, json.ToJsonString());
        var e = Assert.Throws<InvalidCheckpointException>(() => LineageChain.Walk(Dir("reft")));
        Assert.Contains(sidecar, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lineage_through_an_unreadable_stories_sidecar_names_the_file()
    {
        StoriesChain();
        // Then a reFT of the reFT, so that the broken sidecar sits in the middle of the chain.
        using (var be = BackendRegistry.Create("cpu"))
            StoriesTraining.Train(Dir("sreft"), StoriesModel.Read(Dir("sreft")).Config, be, Dir("sreft2"), "reft");
        string sidecar = Path.Combine(Dir("sreft"), StoriesModel.SidecarName);
        File.WriteAllText(sidecar, "[1, 2");
        var e = Assert.Throws<InvalidCheckpointException>(() => LineageChain.Walk(Dir("sreft2")));
        Assert.Contains(sidecar, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lineage_of_a_stories_reft_shows_the_pretraining_it_came_from()
    {
        StoriesChain();
        var chain = LineageChain.Walk(Dir("sreft"));
        Assert.Equal(["pretrain", "reft"], chain.Select(l => l.Stage));
        Assert.All(chain, l => Assert.Equal(LineageSetting.Stories, l.Setting));
        Assert.Null(chain[0].Parent);
        Assert.Equal((chain[0].Sha256, "pretrain"), (chain[1].Parent!.Sha256, chain[1].Parent!.Stage));
        Assert.Equal(["none", "twist"], chain.Select(l => l.Settings["protocol"]));
        Assert.Equal("32", chain[1].Settings["model.n_embd"]);
        Assert.All(chain, l => Assert.Equal((2L, 2L), (l.Step, l.TotalSteps)));
        Assert.All(chain, l => Assert.False(l.ParentChanged));
        Assert.All(chain, l => Assert.NotNull(l.Software));
        Assert.StartsWith("stories reft, step 2/2, protocol twist, lr ", LineageText.Summary(chain[1]), StringComparison.Ordinal);
    }

    [Fact]
    public void Lineage_graph_draws_tracr_and_stories_models_once_each_with_their_edges()
    {
        TracrChain();
        StoriesChain();
        // A Tracr folder that also keeps intermediate checkpoints and a latest file is still one model, read from its
        // root tracr.json.
        string step = Path.Combine(Dir("ft"), "checkpoints", "step-0000001");
        Directory.CreateDirectory(step);
        foreach (string file in new[] { CompiledModel.SidecarName, "model.safetensors" }) File.Copy(Path.Combine(Dir("ft"), file), Path.Combine(step, file));
        File.WriteAllText(Path.Combine(Dir("ft"), "latest"), "checkpoints/step-0000001\n");
        Assert.Equal(Dir("ft"), LineageReader.Read(Dir("ft")).Directory);

        Assert.Equal([Dir("c"), Dir("ft"), Dir("pt"), Dir("reft"), Dir("sreft")], LineageGraph.ModelFolders(Root));
        Assert.Equal(5, LineageGraph.Write(Root, Dir("graph")));
        string dot = File.ReadAllText(Path.Combine(Dir("graph"), "lineage.dot"));
        Assert.Equal(3, dot.Split("->").Length - 1);
        Assert.Contains("tracr reft", dot, StringComparison.Ordinal);
        Assert.Contains("stories pretrain step 2", dot, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(Dir("graph"), "lineage.png")).Length > 1000);
    }
}
