using NativeCore;
using NativeCore.Model;

namespace NativeCore.Tests.Model;

/// <summary>The Tracr-shaped and LLaMA-style options run through the one model code path and keep its gradients right.</summary>
public class ModelOptionsTests
{
    /// <summary>RMSNorm, rotary embeddings, SwiGLU and no biases.</summary>
    private static readonly GptConfig Llama = new()
    {
        NLayer = 2, NHead = 2, NEmbd = 8, BlockSize = 6, VocabSize = 7, Bias = false,
        Norm = NormKinds.RmsNorm, Activation = ActivationKinds.SwiGlu, Position = PositionKinds.Rope, InnerOverride = 12,
    };

    public static TheoryData<string> Variants() => new() { "compiled", "llama" };

    private static GptConfig Variant(string name) => name == "llama" ? Llama : Compiled;

    /// <summary>No norm, ReLU, full attention, and head, MLP and output widths of their own: every option at once.</summary>
    private static readonly GptConfig Compiled = new()
    {
        NLayer = 2, NHead = 2, NEmbd = 10, BlockSize = 6, VocabSize = 7, Bias = false,
        Norm = NormKinds.None, Activation = ActivationKinds.Relu, Causal = false,
        HeadSizeOverride = 3, InnerOverride = 9, OutputOverride = 5,
    };

    private static readonly int[] Tokens = [0, 3, 6, 1, 2, 5, 4, 4, 1, 0, 6, 2];
    private static readonly int[] Targets = [-1, 2, 4, 0, -1, 1, 3, -1, 4, 2, 0, 1];

    [Fact]
    public void Layout_follows_the_independent_widths()
    {
        var layout = new ParameterLayout(Compiled);
        Assert.Equal([18, 10], layout["transformer.h.0.attn.c_attn.weight"].Shape);
        Assert.Equal([10, 6], layout["transformer.h.0.attn.c_proj.weight"].Shape);
        Assert.Equal([9, 10], layout["transformer.h.1.mlp.c_fc.weight"].Shape);
        Assert.Equal([5, 10], layout["lm_head.weight"].Shape);
        Assert.DoesNotContain(layout.Parameters, p => p.Name.Contains("ln_", StringComparison.Ordinal) || p.Name.EndsWith(".bias", StringComparison.Ordinal));
    }

    [Fact]
    public void Llama_layout_has_no_positions_table_and_a_double_width_fc()
    {
        var layout = new ParameterLayout(Llama);
        Assert.False(layout.Contains("transformer.wpe.weight"));
        Assert.Equal([24, 8], layout["transformer.h.0.mlp.c_fc.weight"].Shape);
        Assert.Equal([8, 12], layout["transformer.h.0.mlp.c_proj.weight"].Shape);
        Assert.Equal([8], layout["transformer.h.1.ln_2.weight"].Shape);
        Assert.False(layout.Contains("transformer.h.1.ln_2.bias"));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gradients_match_finite_differences_of_the_loss(string variant)
    {
        using var be = Backends.BackendRegistry.Create("reference");
        using var model = new Gpt(be, Variant(variant));
        model.InitializeWeights(3);
        // Larger weights than minGPT's init, so ReLUs and attention weights differ across positions.
        float[] p = model.Parameters.ToArray().Select(v => v * 5f).ToArray();
        model.Parameters.CopyFromHost(p);
        model.Forward(Tokens, Targets, 2, 6);
        model.Backward();
        float[] grad = model.Gradients.ToArray();

        double Loss(int index, float delta)
        {
            float saved = p[index];
            p[index] = saved + delta;
            model.Parameters.CopyFromHost(p);
            double loss = model.Forward(Tokens, Targets, 2, 6);
            p[index] = saved;
            return loss;
        }
        int checkedCount = 0;
        foreach (var spec in model.Layout.Parameters)
        {
            for (int k = 0; k < spec.Length; k += Math.Max(1, spec.Length / 7))
            {
                int i = spec.Offset + k;
                const float h = 1e-3f;
                double numeric = (Loss(i, h) - Loss(i, -h)) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"{spec.Name}[{k}]: analytic {grad[i]:G6}, finite differences {numeric:G6}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 40, $"only {checkedCount} gradients checked");
        Assert.Contains(grad, g => Math.Abs(g) > 1e-3);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Cpu_matches_the_reference_backend(string variant)
    {
        float[] Run(string backend, out float loss)
        {
            using var be = Backends.BackendRegistry.Create(backend);
            using var model = new Gpt(be, Variant(variant));
            model.InitializeWeights(9);
            model.Parameters.CopyFromHost(model.Parameters.ToArray().Select(v => v * 5f).ToArray());
            loss = model.Forward(Tokens, Targets, 2, 6);
            model.Backward();
            return model.Gradients.ToArray();
        }
        var reference = Run("reference", out float refLoss);
        var cpu = Run("cpu", out float cpuLoss);
        Assert.Equal(refLoss, cpuLoss, 1e-5);
        Numerics.Close(reference.Select(v => (double)v).ToArray(), cpu.Select(v => (double)v).ToArray(), 1e-4, $"gradients of the {variant} model");
    }

    [Fact]
    public void Non_causal_attention_lets_early_positions_see_later_tokens()
    {
        using var be = Backends.BackendRegistry.Create("cpu");
        float[] FirstLogits(bool causal, int lastToken)
        {
            using var model = new Gpt(be, Compiled with { Causal = causal });
            model.InitializeWeights(4);
            model.Parameters.CopyFromHost(model.Parameters.ToArray().Select(v => v * 5f).ToArray());
            model.Forward([0, 1, 2, lastToken], [], 1, 4);
            return model.Logits.ToArray()[..Compiled.OutputSize];
        }
        Assert.Equal(FirstLogits(true, 3), FirstLogits(true, 6));
        Assert.NotEqual(FirstLogits(false, 3), FirstLogits(false, 6));
    }

    [Theory]
    [InlineData("norm", "model.norm")]
    [InlineData("activation", "model.activation")]
    [InlineData("n_output", "model.n_output")]
    [InlineData("position", "model.position")]
    [InlineData("rope_head", "even head size")]
    public void Invalid_options_name_their_field(string field, string expected)
    {
        var bad = field switch
        {
            "norm" => Compiled with { Norm = "rms" },
            "activation" => Compiled with { Activation = "tanh" },
            "position" => Llama with { Position = "alibi" },
            "rope_head" => Llama with { HeadSizeOverride = 3 },
            _ => Compiled with { TiedEmbeddings = true },
        };
        var ex = Assert.Throws<InvalidConfigException>(bad.Validate);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
