using NativeCore.Backends.Cpu;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Tests.Training;

/// <summary>
/// A checkpoint whose weights or moments hold an integer tensor is refused naming the file. Fuzzing compiled models
/// found the dtype error naming only the tensor; these readers made the same call.
/// </summary>
public sealed class CheckpointWeightsTests : TempDirectoryTest
{
    private static void Retype(string path, string tensor)
    {
        var tensors = Safetensors.Read(path);
        Safetensors.Write(path, tensors.Tensors.Values.Select(t => t.Name == tensor ? t with { DType = SafeDType.I32 } : t), tensors.Metadata);
    }

    [Theory]
    [InlineData("model.safetensors", "transformer.wte.weight")]
    [InlineData("optimizer.safetensors", "v.transformer.wte.weight")]
    public void An_integer_tensor_is_refused_naming_the_file(string file, string tensor)
    {
        var config = ConfigLoader.Load("smoke");
        using var backend = new CpuBackend();
        using var gpt = new Gpt(backend, config.Model);
        using var adam = new AdamW(gpt, new AdamWConfig());
        string dir = Checkpoint.Save(Dir("run"), gpt, adam, new CheckpointSidecar { Stage = "pretrain", Config = config }, keepLast: 1);
        string path = Path.Combine(dir, file);
        Retype(path, tensor);
        var e = Assert.Throws<InvalidCheckpointException>(() =>
        {
            if (file == "model.safetensors") Checkpoint.LoadModel(gpt, dir);
            else Checkpoint.LoadOptimizer(gpt, adam, dir);
        });
        Assert.StartsWith($"{path}: tensor '{tensor}' has dtype I32", e.Message, StringComparison.Ordinal);
    }
}
