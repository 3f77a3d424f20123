using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Tasks;
using NativeCore.Training;

namespace NativeCore.Tests.Interop;

public sealed class PyTorchInteropTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string _dir = Directory.CreateTempSubdirectory("interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string? TorchMissingReason()
    {
        if (!File.Exists(Python)) return $"{Python} not found";
        var psi = new ProcessStartInfo(Python, "-c \"import torch\"") { RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode == 0 ? null : "Debian's python3-torch is not installed (apt-get install python3-torch)";
    }

    [SkippableFact]
    public void PyTorch_loads_a_checkpoint_and_reproduces_the_logits()
    {
        string? missing = TorchMissingReason();
        // CI installs torch in .ci/run; there a missing torch is a failure, not a skip.
        if (missing is not null && Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI must run the interop test: {missing}");
        Skip.If(missing is not null, missing);

        var config = ConfigLoader.Load("smoke");
        using var backend = BackendRegistry.Create("cpu");
        var result = Trainer.Run(Stages.Pretrain(config, Path.Combine(_dir, "run"), resume: false), backend);

        using var model = new Gpt(backend, config.Model);
        Checkpoint.LoadModel(model, result.CheckpointDirectory);
        var batch = new PretrainingData(config.Data, 77).Batch(0, 4);
        model.Forward(batch.Tokens, [], batch.BatchSize, batch.Time);
        string batchPath = Path.Combine(_dir, "batch.safetensors");
        Safetensors.Write(batchPath,
        [
            SafeTensor.FromInt32("tokens", [batch.BatchSize, batch.Time], batch.Tokens),
            SafeTensor.FromFloat32("logits", model.Logits.Shape, model.Logits.ToArray()),
        ]);

        string script = Path.Combine(AppContext.BaseDirectory, "Interop", "load_checkpoint.py");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(result.CheckpointDirectory);
        psi.ArgumentList.Add(batchPath);
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"loader failed: {stderr}");
        using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        double err = json.RootElement.GetProperty("max_rel_error").GetDouble();
        Assert.Equal(model.Logits.Shape, json.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(err <= 1e-4, string.Create(CultureInfo.InvariantCulture, $"PyTorch logits differ from NativeCore's by {err:E3} (relative)"));
    }
}
