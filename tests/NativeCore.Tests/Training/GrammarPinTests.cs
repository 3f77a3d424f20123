using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Training;

namespace NativeCore.Tests.Training;

/// <summary>
/// The grammar setting's results are pinned to the bytes the training loop gave before it became the one loop of all
/// settings (issue 17): a pre-training with dropout and weight decay, then a fine-tune from it. Any change to the
/// loop's order of operations, seed rule, clip rule or schedule moves these hashes, and so does any change to a cpu
/// kernel's arithmetic (they were last moved on purpose when the cpu training step was cut into two batch shards
/// whose gradients are summed: Gpt.TrainStep). Every kernel and reduction gives the same bits on the 256-bit and
/// 512-bit paths, so one pin serves both kinds of machine; TrainerTests checks a whole run both ways
/// (DOTNET_EnableAVX512=0).
/// </summary>
public sealed class GrammarPinTests : TempDirectoryTest
{
    private const string PretrainSha256 = "6fe1de01d16066512f9d25bb3fe8896a58cb8f34b7884a6ff3d8141857da93cb";
    private const string FinetuneSha256 = "faf96c0f815ea5457f3ca34fc708f0223331c627fa5fe58b56406df28e0e62f0";

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
