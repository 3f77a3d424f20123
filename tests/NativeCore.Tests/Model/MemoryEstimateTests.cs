using NativeCore.Cli;
using NativeCore.Experiments;
using NativeCore.Model;
using NativeCore.Stories;

namespace NativeCore.Tests.Model;

/// <summary>A model too large to train is refused up front with its estimate, instead of overflowing int sizes.</summary>
[Collection("Console")]
public sealed class MemoryEstimateTests
{
    public static TheoryData<string> Shapes() => new() { "gpt", "tied", "llama", "compiled", "stories" };

    private static GptConfig Shape(string name) => name switch
    {
        "gpt" => new GptConfig { NLayer = 3, NHead = 4, NEmbd = 24, BlockSize = 10, VocabSize = 13 },
        "tied" => new GptConfig { NLayer = 2, NHead = 2, NEmbd = 16, BlockSize = 7, VocabSize = 11, TiedEmbeddings = true, Bias = false },
        "llama" => new GptConfig
        {
            NLayer = 2, NHead = 2, NEmbd = 8, BlockSize = 6, VocabSize = 7, Bias = false,
            Norm = NormKinds.RmsNorm, Activation = ActivationKinds.SwiGlu, Position = PositionKinds.Rope, InnerOverride = 12,
        },
        "compiled" => new GptConfig
        {
            NLayer = 2, NHead = 2, NEmbd = 10, BlockSize = 6, VocabSize = 7, Bias = false, Norm = NormKinds.None,
            Activation = ActivationKinds.Relu, Causal = false, HeadSizeOverride = 3, InnerOverride = 9, OutputOverride = 5,
        },
        _ => new StoriesConfig().Model with { VocabSize = 300 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_estimate_matches_what_the_model_allocates(string name)
    {
        var config = Shape(name);
        Assert.Equal(new ParameterLayout(config).TotalLength, MemoryEstimate.ParameterFloats(config));
        using var be = Backends.BackendRegistry.Create("cpu");
        using var acts = new Activations(be, config, 3, config.BlockSize);
        Assert.Equal(acts.Length, MemoryEstimate.ActivationFloats(config, 3, config.BlockSize));
    }

    [Fact]
    public void Every_preset_fits_under_the_cap()
    {
        foreach (string preset in ConfigLoader.PresetNames)
        {
            var config = ConfigLoader.Load(preset);
            int batch = new[] { config.Pretrain.BatchSize, config.Finetune.BatchSize, config.Eval.BatchSize }.Max();
            Assert.True(MemoryEstimate.TrainingBytes(config.Model, batch, config.Model.BlockSize) < MemoryEstimate.CapBytes / 4, preset);
        }
    }

    [Theory]
    [InlineData("model.n_embd=16384", "n_embd=16384")]
    [InlineData("model.n_layer=1000000", "n_layer=1000000")]
    [InlineData("pretrain.batch_size=2000000", "pretrain.batch_size=2000000")]
    [InlineData("eval.batch_size=2000000", "eval.batch_size=2000000")]
    public void A_run_config_past_the_cap_is_refused_with_the_estimate(string overrideText, string named)
    {
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", [overrideText]));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Matches(@"this model needs \d+\.\d GiB to train; the cap is 8 GiB \(", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(int.MaxValue, 1)]
    [InlineData(1, int.MaxValue)]
    public void Sizes_that_overflow_int_are_refused_not_wrapped(int vocab, int block)
    {
        var config = new GptConfig { NLayer = 1, NHead = 1, NEmbd = 1 << 16, VocabSize = vocab, BlockSize = block };
        Assert.Throws<InvalidConfigException>(() => new ParameterLayout(config));
    }

    [Fact]
    public void A_forward_pass_past_the_cap_is_refused_before_allocating()
    {
        using var be = Backends.BackendRegistry.Create("cpu");
        var config = new GptConfig();
        using var model = new Gpt(be, config);
        int b = 1 << 17, t = config.BlockSize;
        var e = Assert.Throws<InvalidConfigException>(() => model.Forward(new int[b * t], [], b, t));
        Assert.Contains($"at batch {b}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stories_batch_past_the_cap_is_refused_naming_batch_size()
    {
        string dir = Directory.CreateTempSubdirectory("stories-cap-").FullName;
        try
        {
            using var be = Backends.BackendRegistry.Create("cpu");
            var config = new StoriesConfig().WithOverrides(["batch_size=200000"]);
            var e = Assert.Throws<InvalidConfigException>(() => StoriesTraining.Train(null, config, be, Path.Combine(dir, "out"), "pretrain"));
            Assert.Contains("batch_size=200000", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Exit, string Err) Cli(params string[] args) => CliCapture.Run(args);

    [Theory]
    [InlineData("n_embd=65536", "bench", "step", "--config", "small", "--embd", "65536")]
    [InlineData("--batch 1000000", "bench", "step", "--config", "small", "--batch", "1000000")]
    [InlineData("gemm m=65536 k=65536 n=1", "bench", "gemm", "--m", "65536", "--k", "65536", "--n", "1")]
    [InlineData("gemm m=65536 k=65536 n=65536", "bench", "gemm", "--m", "65536", "--k", "65536", "--n", "65536", "--widths")]
    public void Bench_refuses_sizes_past_the_cap_with_exit_2_and_one_line(string named, params string[] args)
    {
        var (exit, err) = Cli(args);
        Assert.Equal(ExitCodes.Config, exit);
        Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        Assert.Contains(named, err, StringComparison.Ordinal);
        Assert.Contains("the cap is 8 GiB", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
    }
}
