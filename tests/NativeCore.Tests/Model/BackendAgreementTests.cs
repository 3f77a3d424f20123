using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Tests.Model;

public class BackendAgreementTests
{
    public static TheoryData<string> GpuKernelBackends()
    {
        var data = new TheoryData<string>();
        foreach (string name in Backends.BackendRegistry.NamesIn(Backends.BackendRegistry.IlgpuGroup)) data.Add(name);
        return data;
    }

    private static readonly GptConfig Gpt2Style = new() { NLayer = 2, NHead = 2, NEmbd = 12, BlockSize = 8, VocabSize = 11, Dropout = 0.1f };

    private static readonly GptConfig LlamaStyle = Gpt2Style with
    {
        Bias = false, Norm = NormKinds.RmsNorm, Activation = ActivationKinds.SwiGlu, Position = PositionKinds.Rope, InnerOverride = 20,
    };

    private static List<float> TrainTenSteps(string backend, GptConfig config)
    {
        using var be = TestBackends.Create(backend);
        using var model = new Gpt(be, config);
        model.InitializeWeights(42);
        using var opt = new AdamW(model, new AdamWConfig { LearningRate = 1e-2f });
        int[] tokens = Enumerable.Range(0, 3 * 8).Select(i => (i * 7 + 3) % 11).ToArray();
        int[] targets = tokens.Select((t, i) => i % 8 == 7 ? -1 : (t * 5 + 1) % 11).ToArray();
        var losses = new List<float>();
        for (int step = 0; step < 10; step++)
        {
            losses.Add(model.Forward(tokens, targets, 3, 8, training: true, dropoutSeed: (ulong)step));
            model.Backward();
            opt.Step(1e-2f);
        }
        return losses;
    }

    [SkippableTheory]
    [MemberData(nameof(GpuKernelBackends))]
    public void Tiny_gpt_losses_match_cpu_over_ten_steps(string backend)
    {
        foreach (var config in new[] { Gpt2Style, LlamaStyle }) LossesMatch(backend, config);
    }

    private static void LossesMatch(string backend, GptConfig config)
    {
        var cpu = TrainTenSteps("cpu", config);
        var other = TrainTenSteps(backend, config);
        for (int i = 0; i < cpu.Count; i++)
        {
            double rel = Math.Abs(other[i] - cpu[i]) / Math.Abs(cpu[i]);
            Assert.True(rel <= 1e-4, $"{config.Norm}/{config.Activation}/{config.Position}, step {i}: {backend} loss {other[i]} vs cpu {cpu[i]} (relative {rel:E2})");
        }
        Assert.True(cpu[^1] < cpu[0], "the losses should fall over ten steps");
    }
}
