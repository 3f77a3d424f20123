using NativeCore.Experiments;
using NativeCore.Stories;
using NativeCore.Tracr;

namespace NativeCore.Tests.Experiments;

/// <summary>What the one <c>--set</c> parser does beyond a single key's type: form, order, and each setting's own rules.</summary>
public sealed class OverridesTests
{
    [Theory]
    [InlineData("steps")]
    [InlineData("=5")]
    [InlineData(" =5")]
    public void An_assignment_without_a_key_is_refused_quoting_it(string assignment)
    {
        var e = Assert.Throws<InvalidConfigException>(() => new StoriesConfig().WithOverrides([assignment]));
        Assert.Equal($"--set '{assignment}' must look like key=value", e.Message);
    }

    [Fact]
    public void Overrides_apply_in_order_and_spaces_around_key_and_value_are_dropped()
    {
        var config = new StoriesConfig().WithOverrides([" steps = 5 ", "steps=6", "model.n_layer=3"]);
        Assert.Equal(6, config.Steps);
        Assert.Equal(3, config.Model.NLayer);
        // The rest of the section keeps the stories defaults: a key sets one field, not the section.
        Assert.Equal(new StoriesConfig().Model with { NLayer = 3 }, config.Model);
    }

    [Fact]
    public void A_wrong_type_names_the_key_and_what_it_takes()
    {
        var e = Assert.Throws<InvalidConfigException>(() => new TracrRecipe().WithOverrides(["seed=-1"]));
        Assert.Equal("--set seed: wrong type: '-1' is not an integer from 0 to 18446744073709551615", e.Message);
        e = Assert.Throws<InvalidConfigException>(() => new TracrRecipe().WithOverrides(["steps=1.5"]));
        Assert.Equal("--set steps: wrong type: '1.5' is not an integer from -2147483648 to 2147483647", e.Message);
        e = Assert.Throws<InvalidConfigException>(() => new TracrRecipe().WithOverrides(["lr=NaN"]));
        Assert.Equal("--set lr: wrong type: 'NaN' is not a finite number", e.Message);
        e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", ["grid.ctrs=0,Infinity"]));
        Assert.Equal("--set grid.ctrs: wrong type: grid.ctrs[1] is 'Infinity', which is not a finite number", e.Message);
        e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", ["data.tasks=C,Q"]));
        Assert.Equal("--set data.tasks: wrong type: data.tasks[1] is 'Q', which is not one of C, CC, I, IC, T", e.Message);
    }

    [Fact]
    public void The_tracr_recipe_keeps_reverse_and_eval_seed_which_set_cannot_change()
    {
        var recipe = new TracrRecipe { Reverse = true, EvalSeed = 5 }.WithOverrides(["steps=3", "seed=9"]);
        Assert.Equal(new TracrRecipe { Reverse = true, EvalSeed = 5, Steps = 3, Seed = 9 }, recipe);
        Assert.Contains("unknown key 'reverse'", Assert.Throws<InvalidConfigException>(() => recipe.WithOverrides(["reverse=false"])).Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'eval_seed'", Assert.Throws<InvalidConfigException>(() => recipe.WithOverrides(["eval_seed=1"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tracr_keys_are_the_ones_it_always_had_and_train_readout()
    {
        // train_readout came with the fixed readout (issue 19); every other key is as the hand-written parser had it.
        Assert.Equal(
            ["steps", "batch_size", "lr", "warmup", "min_lr_ratio", "momentum", "grad_clip", "train_readout", "noise_std", "ctr", "q", "seed", "eval_every", "eval_size"],
            Overrides.Keys<TracrRecipe>(TracrRecipe.OverrideOptions).Select(k => k.Key));
    }

    [Fact]
    public void The_tracr_recipe_is_still_validated_after_overrides()
    {
        var e = Assert.Throws<InvalidConfigException>(() => new TracrRecipe().WithOverrides(["q=0"]));
        Assert.Equal("tracr q must not be 0, got 0", e.Message);
    }

    [Fact]
    public void A_grammar_key_the_preset_leaves_out_can_be_set()
    {
        // The smoke preset names no model.norm; the key is RunConfig's all the same (it was refused as unknown).
        var config = ConfigLoader.Load("smoke", ["model.norm=rmsnorm", "finetune.eval_at=5,10"]);
        Assert.Equal("rmsnorm", config.Model.Norm);
        Assert.Equal([5, 10], config.Finetune.EvalAt ?? []);
    }

    [Fact]
    public void A_grammar_section_can_be_set_whole_and_its_keys_are_checked()
    {
        var config = ConfigLoader.Load("smoke", ["eval={\"size\":16}"]);
        Assert.Equal(new EvalConfig { Size = 16 }, config.Eval);
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", ["eval={\"sise\":16}"]));
        Assert.StartsWith("--set eval: unknown key 'sise' in section 'eval' of the grammar setting; valid keys: size, seed, batch_size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_clears_a_field_that_may_be_null_and_is_refused_elsewhere()
    {
        var config = new StoriesConfig().WithOverrides(["model.n_inner=null"]);
        Assert.Null(config.Model.InnerOverride);
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", ["grid.priors=null"]));
        Assert.StartsWith("--set grid.priors: 'grid.priors' is null; it takes a list", e.Message, StringComparison.Ordinal);
        // Text is text: "null" is a corpus path like any other, not JSON null.
        Assert.Equal("null", new StoriesConfig().WithOverrides(["corpus=null"]).Corpus);
    }
}
