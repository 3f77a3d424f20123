using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Ledger;
using NativeCore.Stories;
using NativeCore.Tracr;
using NativeCore.Training;

namespace NativeCore.Tests.Training;

/// <summary>
/// Model folders written before model.json (checkpoint.json, tracr.json, stories.json; made by commit d94b377 and kept
/// in Fixtures/old-format) still load, show their lineage and setting, and serve as parents of new runs.
/// </summary>
public sealed class OldFormatFolderTests : TempDirectoryTest
{
    private string Old(string name)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Fixtures", "old-format", name), copy = Dir("old-" + name);
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    [Fact]
    public void An_old_grammar_run_loads_and_shows_its_lineage()
    {
        string run = Old("grammar");
        Assert.Equal(LineageSetting.Grammar, LineageReader.SettingOf(run));
        string dir = Checkpoint.Resolve(run);
        Assert.EndsWith("checkpoint.json", ModelCard.Find(dir, ModelCard.Grammar), StringComparison.Ordinal);
        Assert.Equal(2, Checkpoint.ReadSidecar(dir).Step);
        using var backend = BackendRegistry.Create("cpu");
        using var model = LoadedModel.Load(run, backend);
        Assert.Equal(16, model.Model.Config.NEmbd);
        var link = LineageReader.Read(run);
        Assert.Equal(("pretrain", 2L), (link.Stage, link.Step!.Value));
        Assert.Equal(Checkpoint.Sha256(Path.Combine(dir, "model.safetensors")), link.Sha256);
    }

    [Fact]
    public void Old_tracr_models_load_evaluate_and_parent_a_new_fine_tune()
    {
        string compiled = Old("tracr-compiled"), tuned = Old("tracr-ft");
        Assert.Equal(LineageSetting.Tracr, LineageReader.SettingOf(compiled));
        var model = CompiledModel.Load(compiled);
        Assert.Equal("counter", model.Program);
        Assert.Equal("finetune", LineageReader.Read(tuned).Stage);
        var (exit, _, err) = CliProcess.Run("tracr", "eval", tuned);
        Assert.True(exit == 0, err);

        // A new run from the old folder writes the new format and records the old weights as its parent.
        (exit, _, err) = CliProcess.Run("finetune", "--from", compiled, "--out", Dir("new"), "--set", "steps=2", "--set", "eval_every=2", "--set", "eval_size=8", "--set", "batch_size=4");
        Assert.True(exit == 0, err);
        Assert.True(File.Exists(Path.Combine(Dir("new"), ModelCard.FileName)));
        var chain = LineageChain.Walk(Dir("new"));
        Assert.Equal(["compile", "finetune"], chain.Select(l => l.Stage));
        Assert.Equal(Checkpoint.Sha256(Path.Combine(compiled, "model.safetensors")), chain[1].Parent!.Sha256);
    }

    [Fact]
    public void An_old_stories_model_loads_and_shows_its_step()
    {
        string dir = Old("stories");
        Assert.Equal(LineageSetting.Stories, LineageReader.SettingOf(dir));
        using var backend = BackendRegistry.Create("cpu");
        var (info, gpt) = StoriesModel.Load(dir, backend);
        using (gpt) Assert.Equal(16, gpt.Config.NEmbd);
        Assert.Equal(2, info.Step);
        Assert.Equal(2, LineageReader.Read(dir).Step);
    }
}
