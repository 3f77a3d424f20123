using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Training;

namespace NativeCore.Tests.Training;

/// <summary>
/// The grammar setting's results are pinned to the bytes the training loop gave before it became the one loop of all
/// settings (issue 17): a pre-training with dropout and weight decay, then a fine-tune from it. Any change to the
/// loop's order of operations, seed rule, clip rule or schedule moves these hashes. The kernels give the same bits
/// on the 256-bit and 512-bit paths (GemmWidthTests, GeluWidthTests), so one pin serves both kinds of machine.
/// </summary>
public sealed class GrammarPinTests : TempDirectoryTest
{
    private const string PretrainSha256 = "d62f4ea549a29c5dedc512694cc7d6d32c06cf843576eeddb24c5c17ee581ca7";
    private const string FinetuneSha256 = "d1c5afdf20e39bfd271633280f5ec48baba3627ae64bee57abd8e27a2b095389";

    [Fact]
    public void Pretrain_and_finetune_give_the_pinned_weights()
    {
        string[] pretrain = ["model.dropout=0.1", "pretrain.steps=24", "pretrain.eval_every=12", "pretrain.checkpoint_every=8"];
        var config = ConfigLoader.Load("smoke", pretrain);
        using var backend = BackendRegistry.Create("cpu");
        var pt = Trainer.Run(Stages.Pretrain(config, Dir("pt"), resume: false), backend);
        var ftConfig = ConfigLoader.WithOverrides(Checkpoint.ReadSidecar(pt.CheckpointDirectory).Config, ["finetune.steps=12", "finetune.ctr=0.5"]);
        var ft = Trainer.Run(Stages.Finetune(ftConfig, pt.CheckpointDirectory, Dir("ft"), resume: false), backend);

        Assert.Equal(PretrainSha256, Checkpoint.Sha256(Path.Combine(pt.CheckpointDirectory, "model.safetensors")));
        Assert.Equal(FinetuneSha256, Checkpoint.Sha256(Path.Combine(ft.CheckpointDirectory, "model.safetensors")));
    }
}
