using NativeCore.Experiments;
using NativeCore.Stories;

namespace NativeCore.Tests.Experiments;

/// <summary>Optimiser settings out of range are refused by name, in both config schemas, instead of being used silently.</summary>
public sealed class ConfigRangeTests
{
    [Theory]
    [InlineData("pretrain.grad_clip=-1", "grad_clip")]
    [InlineData("finetune.grad_clip=-0.5", "grad_clip")]
    public void A_negative_clip_is_refused_in_a_run_config(string overrideText, string field)
    {
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", [overrideText]));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_clip_still_means_no_clipping()
    {
        Assert.Equal(0, ConfigLoader.Load("smoke", ["pretrain.grad_clip=0"]).Pretrain.GradClip);
    }

    [Theory]
    [InlineData("lr=0", "lr")]
    [InlineData("lr=-1e-3", "lr")]
    [InlineData("warmup=1.5", "warmup")]
    [InlineData("min_lr_ratio=-0.1", "min_lr_ratio")]
    [InlineData("weight_decay=-0.1", "weight_decay")]
    [InlineData("grad_clip=-1", "grad_clip")]
    [InlineData("steps=0", "steps")]
    public void Stories_settings_out_of_range_are_refused_by_name(string overrideText, string field)
    {
        var config = new StoriesConfig().WithOverrides([overrideText]);
        var e = Assert.Throws<InvalidConfigException>(config.Validate);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stories_defaults_are_valid()
    {
        new StoriesConfig().Validate();
        Assert.True(new StoriesConfig().LearningRate > 0);
    }

    [Fact]
    public void An_odd_rope_head_size_names_the_keys_that_set_it()
    {
        // Found by fuzzing: "needs an even head size" named no key the user could set.
        var config = new StoriesConfig().WithOverrides(["model.head_size=3"]);
        var e = Assert.Throws<InvalidConfigException>(config.Model.Validate);
        Assert.Contains("model.head_size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stories_override_that_repeats_a_key_is_refused()
    {
        // Found by fuzzing: the next override walked into the repeated key and JsonObject threw ArgumentException.
        var e = Assert.Throws<InvalidConfigException>(() => new StoriesConfig().WithOverrides(["model={\"n_layer\":1,\"n_layer\":2}", "model.n_layer=3"]));
        Assert.StartsWith("--set model: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("is not valid JSON", e.Message, StringComparison.Ordinal);
    }
}
