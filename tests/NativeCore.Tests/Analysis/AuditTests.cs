using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Tasks;
using NativeCore.Training;

namespace NativeCore.Tests.Analysis;

public sealed class AuditTests : TempDirectoryTest
{

    private static readonly AuditBudget Small = new(ProbeIterations: 300, MaxPruneUnits: 3, SetSize: 256, ReftSteps: 40, ReftLearningRate: 3e-3);

    [Fact]
    public void Planted_suppressor_is_judged_wrapped()
    {
        string baseCkpt = PlantedModels.TrainedBase();
        using var backend = BackendRegistry.Create("cpu");
        string tuned;
        using (var m = LoadedModel.Load(baseCkpt, backend))
        {
            PlantedModels.PlantSuppressor(m, [new EvalSet("count a", TestSets.Build(m.Config.Data, TaskKind.C, false, 0, 256, m.Config.Eval.Seed))]);
            tuned = PlantedModels.SaveAs(m, Path.Combine(Root, "tuned"));
        }
        var report = Audit.Run(baseCkpt, tuned, new Capability(TaskKind.C, 0), Small, Path.Combine(Root, "out"), backend);
        Assert.Equal("wrapped (revivable)", report.Verdict);
        Assert.Equal(1, report.Evidence.TunedPruning.K);
        Assert.True(File.Exists(Path.Combine(Root, "out", "report.html")) && File.Exists(Path.Combine(Root, "out", "audit.json")));
    }

    [Fact]
    public void Zeroed_capability_weights_are_judged_deleted()
    {
        string baseCkpt = PlantedModels.TrainedBase();
        using var backend = BackendRegistry.Create("cpu");
        string tuned;
        using (var m = LoadedModel.Load(baseCkpt, backend))
        {
            foreach (var p in Pruning.BlockMatrices(m.Model)) backend.Fill(NativeCore.Model.Gpt.View(m.Model.Parameters, p), 0f);
            tuned = PlantedModels.SaveAs(m, Path.Combine(Root, "zeroed"));
        }
        var report = Audit.Run(baseCkpt, tuned, new Capability(TaskKind.C, 0), Small, Path.Combine(Root, "out"), backend);
        Assert.True(report.Verdict == "deleted", $"verdict {report.Verdict}: {string.Join(" | ", report.Reasons)}");
    }
}
