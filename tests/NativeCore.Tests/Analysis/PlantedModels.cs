using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Tasks;
using NativeCore.Training;

namespace NativeCore.Tests.Analysis;

/// <summary>Models with a structure planted by construction, shared by the analysis and audit tests.</summary>
internal static class PlantedModels
{
    public const string SuppressorMatrix = "transformer.h.0.mlp.c_fc.weight";
    public const int SuppressorRow = 17;
    private const int ConstantChannel = 3;

    private static readonly Lazy<string> Base = new(TrainBase);

    /// <summary>
    /// A smoke-scale model trained until it counts a far above the majority share (1,500 steps; measured 100% on the
    /// held-out count-a set, whose majority share is 59%), so that it has a
    /// capability to lose. Trained once per test run and shared; tests copy it before changing anything.
    /// </summary>
    public static string TrainedBase() => Base.Value;

    private static string TrainBase()
    {
        string dir = Directory.CreateTempSubdirectory("planted-base-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        var config = ConfigLoader.Load("smoke", ["pretrain.steps=1500", "pretrain.batch_size=32", "pretrain.lr=0.003", "pretrain.eval_every=1500", "pretrain.checkpoint_every=1500"]);
        using var backend = BackendRegistry.Create("cpu");
        return Trainer.Run(Stages.Pretrain(config, dir, resume: false), backend).CheckpointDirectory;
    }

    private static void Set(Gpt model, string name, int index, float value) => model.Parameters.CopyFromHost([value], model.Layout[name].Offset + index);

    /// <summary>
    /// Plants a suppressor in block 0's MLP: LayerNorm channel 3 is pinned to a constant 1, hidden neuron 17 reads only
    /// that channel (so it always fires) and writes the NONE token's unembedding into the residual stream, with a gain
    /// raised until <paramref name="set"/>'s accuracy falls to 20% or less. Returns the accuracy with the neuron silent
    /// (what zeroing its row restores, exactly) and with it planted.
    /// </summary>
    public static (double Restored, double Suppressed) PlantSuppressor(LoadedModel m, IReadOnlyList<EvalSet> set)
    {
        var model = m.Model;
        int c = model.Config.NEmbd, hidden = 4 * c;
        Set(model, "transformer.h.0.ln_2.weight", ConstantChannel, 0f);
        Set(model, "transformer.h.0.ln_2.bias", ConstantChannel, 1f);
        var fc = model.Layout[SuppressorMatrix];
        model.Parameters.CopyFromHost(new float[c], fc.Offset + SuppressorRow * c);
        Set(model, "transformer.h.0.mlp.c_fc.bias", SuppressorRow, 0f);
        const string proj = "transformer.h.0.mlp.c_proj.weight";
        for (int i = 0; i < c; i++) Set(model, proj, i * hidden + SuppressorRow, 0f);
        double restored = Evaluator.Evaluate(model, m.Config.Data, set, 64)[0].Accuracy;

        Set(model, SuppressorMatrix, SuppressorRow * c + ConstantChannel, 4f);
        var lmHead = model.Param("lm_head.weight").ToArray();
        double suppressed = restored;
        for (float gain = 0.05f; suppressed > 0.2 && gain < 100; gain *= 1.5f)
        {
            for (int i = 0; i < c; i++) Set(model, proj, i * hidden + SuppressorRow, gain * lmHead[Vocabulary.None * c + i]);
            suppressed = Evaluator.Evaluate(model, m.Config.Data, set, 64)[0].Accuracy;
        }
        Assert.True(suppressed <= 0.2 && restored >= 0.8, $"planting failed: restored {restored:P0}, suppressed {suppressed:P0}");
        return (restored, suppressed);
    }

    /// <summary>Saves the model's current weights as a copy of its checkpoint folder at <paramref name="directory"/>.</summary>
    public static string SaveAs(LoadedModel m, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (string f in Directory.GetFiles(m.Directory)) File.Copy(f, Path.Combine(directory, Path.GetFileName(f)), overwrite: true);
        Safetensors.Write(Path.Combine(directory, "model.safetensors"), GptWeights.Export(m.Model), new Dictionary<string, string> { ["format"] = "pt" });
        return directory;
    }
}
