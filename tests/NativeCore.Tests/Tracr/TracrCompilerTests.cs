using NativeCore.Backends;
using NativeCore.Model;
using NativeCore.Tracr;

namespace NativeCore.Tests.Tracr;

public class TracrCompilerTests
{
    private static CompiledModel Compile(string program, int n, double l = 100) => TracrPrograms.Compile(program, new TracrOptions(n, l));

    [Theory]
    [InlineData(10)]
    [InlineData(45)]
    public void Counter_dimensions_match_the_spec(int n)
    {
        var m = Compile("counter", n);
        Assert.Equal(3 * n + 17, m.Config.NEmbd);
        Assert.Equal(n + 2, m.Config.HeadSize);
        Assert.Equal(2 * n + 2, m.Config.Inner);
        Assert.Equal(3, m.Config.NLayer);
        Assert.Equal(1, m.Config.NHead);
        Assert.Equal(n + 1, m.Config.BlockSize);
        Assert.Equal(n + 1, m.Config.OutputSize);
        Assert.Equal(m.Config.NEmbd, m.Residual.Count);
        Assert.Contains("count_selector_width_attn_output", m.Residual);
        Assert.Contains("bin:True", m.Residual);
        // Layer 0 holds only the bin MLP, layer 2 only the copying head.
        Assert.All(m.Weights["transformer.h.0.attn.c_attn.weight"], v => Assert.Equal(0f, v));
        Assert.Contains(m.Weights["transformer.h.0.mlp.c_fc.weight"], v => v != 0);
        Assert.All(m.Weights["transformer.h.2.mlp.c_fc.weight"], v => Assert.Equal(0f, v));
        Assert.Contains(m.Weights["transformer.h.2.attn.c_attn.weight"], v => v != 0);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(30)]
    public void Max_identifier_dimensions_match_the_spec(int n)
    {
        var m = Compile("maxid", n);
        Assert.Equal(2 * n + 59, m.Config.NEmbd);
        Assert.Equal(Math.Max(28, n + 2), m.Config.HeadSize);
        Assert.Equal(3, m.Config.NLayer);
        Assert.Equal(26, m.Config.OutputSize);
        // Layer 1 is the target MLP alone.
        Assert.All(m.Weights["transformer.h.1.attn.c_attn.weight"], v => Assert.Equal(0f, v));
        Assert.Contains(m.Weights["transformer.h.1.mlp.c_fc.weight"], v => v != 0);
    }

    [Theory]
    [InlineData("counter", 45, 45)]
    [InlineData("maxid", 12, 10)]
    public void Compiled_model_agrees_with_the_reference_exactly_when_L_is_large_enough(string program, int n, int length)
    {
        var model = Compile(program, n, l: 2.0 * n * (n + 1));
        var task = new TracrTask { Program = program, Length = length };
        Assert.Equal(length, TracrTask.For(model).Length);
        var samples = task.Samples(model, seed: 7, count: 10_000);
        Assert.All(samples, s => Assert.True(s.Target >= 0));
        using var be = BackendRegistry.Create("cpu");
        using var gpt = model.Build(be);
        var predicted = TracrTask.Predict(gpt, model, samples);
        int wrong = predicted.Where((p, i) => p != samples[i].Target).Count();
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void At_tracrs_default_L_only_counts_of_ten_or_more_come_out_low()
    {
        var model = Compile("counter", 45);
        var task = new TracrTask { Program = "counter", Length = 45 };
        var samples = task.Samples(model, seed: 8, count: 10_000);
        using var be = BackendRegistry.Create("cpu");
        using var gpt = model.Build(be);
        var predicted = TracrTask.Predict(gpt, model, samples);
        int wrong = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            if (predicted[i] == samples[i].Target) continue;
            wrong++;
            int truth = int.Parse(model.OutputValues[samples[i].Target], System.Globalization.CultureInfo.InvariantCulture);
            int said = int.Parse(model.OutputValues[predicted[i]], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(truth >= 10 && said < truth, $"count {truth} decoded as {said}");
        }
        int tenOrMore = samples.Count(s => int.Parse(model.OutputValues[s.Target], System.Globalization.CultureInfo.InvariantCulture) >= 10);
        Assert.Equal(tenOrMore, wrong);
        Assert.InRange(1 - wrong / 10_000.0, 0.95, 0.995);
    }

    [Fact]
    public void Counter_selector_width_head_attends_to_the_a_positions_and_bos_from_position_two()
    {
        var model = Compile("counter", 12);
        string[] input = "bacaadbeaghi".Select(c => c.ToString()).ToArray();
        using var be = BackendRegistry.Create("cpu");
        using var gpt = model.Build(be);
        using var cache = new ActivationCache([HookPoints.AttnPattern(1), HookPoints.AttnPattern(2)]);
        gpt.Forward(model.Encode(input), [], 1, input.Length + 1, cache);
        int t = input.Length + 1;
        float[] row = cache[HookPoints.AttnPattern(1)].ToArray().AsSpan(2 * t, t).ToArray();
        var aPositions = input.Select((c, i) => (c, i + 1)).Where(x => x.c == "a").Select(x => x.Item2).ToHashSet();
        double share = 1.0 / (aPositions.Count + 1);
        for (int k = 0; k < t; k++)
        {
            bool attended = k == 0 || aPositions.Contains(k);
            Assert.True(Math.Abs(row[k] - (attended ? share : 0)) < 1e-3, $"key {k}: weight {row[k]}, expected {(attended ? share : 0)}");
        }
        // The copying head: each query position attends to itself.
        float[] copy = cache[HookPoints.AttnPattern(2)].ToArray();
        for (int q = 1; q < t; q++) Assert.True(copy[q * t + q] > 0.999f, $"position {q} copies from itself ({copy[q * t + q]})");
    }

    [Fact]
    public void Max_identifier_sorting_head_attends_to_smaller_tokens()
    {
        var model = Compile("maxid", 12);
        string[] input = "qzbhadmrck".Select(c => c.ToString()).ToArray();
        using var be = BackendRegistry.Create("cpu");
        using var gpt = model.Build(be);
        using var cache = new ActivationCache([HookPoints.AttnPattern(0)]);
        gpt.Forward(model.Encode(input), [], 1, input.Length + 1, cache);
        int t = input.Length + 1;
        float[] p = cache[HookPoints.AttnPattern(0)].ToArray();
        // Query "h" (position 4) has a, b, c, d below it: BOS and those four share the weight.
        var smaller = input.Select((c, i) => (c, i + 1)).Where(x => string.CompareOrdinal(x.c, "h") < 0).Select(x => x.Item2).ToHashSet();
        Assert.Equal(4, smaller.Count);
        for (int k = 0; k < t; k++)
            Assert.True(Math.Abs(p[4 * t + k] - (k == 0 || smaller.Contains(k) ? 0.2 : 0)) < 1e-3, $"key {k}: {p[4 * t + k]}");
    }

    [Fact]
    public void Save_and_load_round_trip_with_layout_names()
    {
        var model = Compile("counter", 8);
        string dir = Path.Combine(Path.GetTempPath(), "nc-tracr-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(dir);
            var loaded = CompiledModel.Load(dir);
            Assert.Equal(model.Residual, loaded.Residual);
            Assert.Equal(model.Config, loaded.Config);
            Assert.Equal(model.OutputValues, loaded.OutputValues);
            foreach (var (name, w) in model.Weights) Assert.Equal(w, loaded.Weights[name]);
            File.WriteAllText(Path.Combine(dir, CompiledModel.SidecarName), "{ not json");
            var ex = Assert.Throws<NativeCore.InvalidCheckpointException>(() => CompiledModel.Load(dir));
            Assert.Contains(CompiledModel.SidecarName, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
