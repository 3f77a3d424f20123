using NativeCore.Backends;
using NativeCore.Tracr;

namespace NativeCore.Tests.Tracr;

/// <summary>Tracr's unembedding is a fixed projection: the default recipe neither noises nor trains lm_head, and does not clip.</summary>
public sealed class TracrReadoutTests : TempDirectoryTest
{
    private TracrRunResult Finetune(string name, TracrRecipe recipe)
    {
        using var be = BackendRegistry.Create("cpu");
        return TracrTraining.Train(CompiledModel.Load(Dir("c")), Dir("c"), recipe, be, Dir(name), "finetune");
    }

    [Fact]
    public void The_default_recipe_leaves_lm_head_as_compiled_and_trains_the_rest()
    {
        var compiled = TracrPrograms.Compile("counter", new TracrOptions(6));
        compiled.Save(Dir("c"));
        var recipe = new TracrRecipe { Steps = 6, BatchSize = 8, EvalEvery = 6, EvalSize = 16, LearningRate = 1e-3 };
        Assert.Equal(0, recipe.GradClip);
        var tuned = Finetune("fixed", recipe).Model;
        Assert.Equal(compiled.Weights["lm_head.weight"], tuned.Weights["lm_head.weight"]);
        Assert.NotEqual(compiled.Weights["transformer.h.0.mlp.c_fc.weight"], tuned.Weights["transformer.h.0.mlp.c_fc.weight"]);
        Assert.Equal("fixed", tuned.Lineage!.Settings["readout"]);
        Assert.Equal("0", tuned.Lineage.Settings["grad_clip"]);

        // The control: with the readout trained, lm_head moves.
        var trained = Finetune("trained", recipe with { TrainReadout = true }).Model;
        Assert.NotEqual(compiled.Weights["lm_head.weight"], trained.Weights["lm_head.weight"]);
        // The noise and updates of the other weights do not depend on whether the readout is trained.
        Assert.Equal("trained", trained.Lineage!.Settings["readout"]);
    }
}
