using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Model;
using NativeCore.Tasks;
using NativeCore.Tensors;
using NativeCore.Training;

namespace NativeCore.Tests.Analysis;

/// <summary>Each analysis tool on a model with a structure planted by construction, so the right answer is known.</summary>
public sealed class PlantedStructureTests : TempDirectoryTest
{

    private string TrainedBase() => PlantedModels.TrainedBase();

    [Fact]
    public void Pruning_one_unit_finds_the_planted_suppressor_and_restores_the_capability()
    {
        string ckpt = TrainedBase();
        using var backend = BackendRegistry.Create("cpu");
        using var m = LoadedModel.Load(ckpt, backend);
        var set = new[] { new EvalSet("count a", TestSets.Build(m.Config.Data, TaskKind.C, false, 0, 256)) };
        var (restored, suppressed) = PlantedModels.PlantSuppressor(m, set);

        var curve = Pruning.Curve(m.Model, m.Config.Data, new Capability(TaskKind.C, 0), PruneUnit.Neurons, 1, set, 256, 64, seed: 1);
        Assert.Equal((PlantedModels.SuppressorMatrix, PlantedModels.SuppressorRow), (curve[1].Removed!.Parameter, curve[1].Removed!.Index));
        Assert.Equal(suppressed, curve[0].Accuracies[0].Accuracy);
        Assert.Equal(restored, curve[1].Accuracies[0].Accuracy);
        // Curve restores the weights afterwards.
        Assert.Equal(suppressed, Evaluator.Evaluate(m.Model, m.Config.Data, set, 64)[0].Accuracy);
    }

    [Fact]
    public void Probe_reads_a_planted_linear_feature_and_stays_at_chance_on_an_absent_one()
    {
        using var backend = BackendRegistry.Create("cpu");
        const int n = 2048, test = 512, c = 16, classes = 5;
        int[] Labels(int count, ulong seed) => Enumerable.Range(0, count).Select(i => (int)(Kernels.CounterHash.Mix(seed, (ulong)i) % classes)).ToArray();
        int[] trainY = Labels(n, 1), testY = Labels(test, 2);
        // Planted: class j adds 5 along direction j under unit noise (Bayes accuracy > 99.9%). Absent: the noise alone.
        Tensor Features(int[] y, ulong seed, bool planted)
        {
            var x = new float[y.Length * c];
            for (int i = 0; i < x.Length; i++) x[i] = (float)Gaussian.Sample(seed, (ulong)i);
            if (planted)
                for (int i = 0; i < y.Length; i++) x[i * c + y[i]] += 5f;
            var t = new Tensor(backend.Allocate(x.Length), 0, y.Length, c);
            t.CopyFrom(x);
            return t;
        }
        var config = new ProbeConfig(Iterations: 1500, BatchSize: 128);
        var present = Probing.Train(backend, "planted", Features(trainY, 3, true), trainY, Features(testY, 4, true), testY, classes, config);
        var absent = Probing.Train(backend, "absent", Features(trainY, 5, false), trainY, Features(testY, 6, false), testY, classes, config);
        Assert.True(present.TestAccuracy > 0.9, $"planted feature read at {present.TestAccuracy:P1}");
        Assert.InRange(absent.TestAccuracy, 0.0, absent.Chance + 0.06);
    }

    [Fact]
    public void Probe_features_are_the_hooked_residual_rows_at_ART()
    {
        string ckpt = TrainedBase();
        using var backend = BackendRegistry.Create("cpu");
        using var m = LoadedModel.Load(ckpt, backend);
        var data = m.Config.Data;
        var samples = new PretrainingData(data, 3).Batch(0, 5).Samples;
        string hook = HookPoints.ResidPost(0);
        var features = Probing.Features(m.Model, data, samples, [hook], batchSize: 2)[hook].ToArray();
        using var cache = new ActivationCache([hook]);
        var batch = Batch.From(samples, data, LossMask.AnswerOnly);
        m.Model.Forward(batch.Tokens, [], samples.Length, batch.Time, cache);
        var act = cache[hook].ToArray();
        int c = m.Config.Model.NEmbd;
        for (int i = 0; i < samples.Length; i++)
            Assert.Equal(act.AsSpan((i * batch.Time + data.ArtPosition) * c, c).ToArray(), features.AsSpan(i * c, c).ToArray());
    }

    [Fact]
    public void Attention_json_equals_the_hooked_pattern()
    {
        string ckpt = TrainedBase();
        using var backend = BackendRegistry.Create("cpu");
        using var m = LoadedModel.Load(ckpt, backend);
        string outDir = Path.Combine(Root, "attention");
        var files = AnalysisRuns.Attention([m], sampleSeed: 9, operand: 0, outDir);
        Assert.Equal(m.Config.Model.NLayer * m.Config.Model.NHead, files.Count);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 1000 && File.Exists(Path.ChangeExtension(f, ".csv"))));

        var sample = new FinetuningData(m.Config.Data, TaskKind.C, 0, 9, 0).Sample(0, 0);
        var batch = Batch.From([sample], m.Config.Data, LossMask.AnswerOnly);
        using var cache = new ActivationCache([HookPoints.AttnPattern(0)]);
        m.Model.Forward(batch.Tokens, [], 1, batch.Time, cache);
        var hooked = cache[HookPoints.AttnPattern(0)].ToArray();
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "attention.json")));
        var patterns = json.RootElement.GetProperty("model").GetProperty("patterns")[0];
        var fromJson = patterns.EnumerateArray().SelectMany(head => head.EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => v.GetSingle()))).ToArray();
        Assert.Equal(hooked, fromJson);
        var tokens = json.RootElement.GetProperty("model").GetProperty("tokens").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(batch.Tokens.Select(Vocabulary.Name), tokens);
    }

    [Fact]
    public void Pruning_probing_and_attention_agree_between_cpu_and_ilgpu_cpu()
    {
        // An early model (40 smoke steps): its loss is still high, so gradient × weight scores carry signal rather than
        // the rounding noise of a model at its optimum, and backends can be compared on them.
        string ckpt;
        using (var cpuBackend = BackendRegistry.Create("cpu"))
            ckpt = Trainer.Run(Stages.Pretrain(ConfigLoader.Load("smoke"), Dir("early"), resume: false), cpuBackend).CheckpointDirectory;
        (IReadOnlyList<PruneScore> Scores, double[] Probe, float[] Pattern) Run(string backendName)
        {
            using var backend = BackendRegistry.Create(backendName);
            using var m = LoadedModel.Load(ckpt, backend);
            var data = m.Config.Data;
            // Tiny sizes: ILGPU's CPU emulator runs the tiled GEMM at about 0.5 GFLOP/s.
            var scores = Pruning.Score(m.Model, data, new Capability(TaskKind.C, 0), PruneUnit.Neurons, 1, seed: 2);
            var samples = new FinetuningData(data, TaskKind.C, 0, 5, 0).Batch(0, 4).Samples;
            var labels = samples.Select(s => TaskAnswers.Count(s.Text, data.CountWindow, 0)).ToArray();
            string hook = HookPoints.ResidPost(0);
            var x = Probing.Features(m.Model, data, samples, [hook], 4)[hook];
            var probe = Probing.Train(backend, hook, x, labels, x, labels, data.CountWindow + 1, new ProbeConfig(Iterations: 10, BatchSize: 4));
            var map = AttentionMaps.Read(m.Model, data, samples[0]);
            return (scores, [probe.TrainAccuracy, probe.TestAccuracy], map.Patterns.SelectMany(l => l.SelectMany(h => h.SelectMany(r => r))).ToArray());
        }
        var cpu = Run("cpu");
        var ilgpu = Run("ilgpu-cpu");
        // Near-tied scores may swap places between backends: the top unit must agree, the top five as a set.
        Assert.Equal((cpu.Scores[0].Parameter, cpu.Scores[0].Index), (ilgpu.Scores[0].Parameter, ilgpu.Scores[0].Index));
        Assert.Equal(cpu.Scores.Take(5).Select(s => (s.Parameter, s.Index)).Order(), ilgpu.Scores.Take(5).Select(s => (s.Parameter, s.Index)).Order());
        Numerics.Close(cpu.Scores.Select(s => s.Score).ToArray(), cpu.Scores.Select(s => ilgpu.Scores.First(o => o.Parameter == s.Parameter && o.Index == s.Index).Score).ToArray(), 1e-3, "prune scores");
        Assert.Equal(cpu.Probe, ilgpu.Probe);
        Numerics.Close(cpu.Pattern.Select(v => (double)v).ToArray(), ilgpu.Pattern.Select(v => (double)v).ToArray(), 1e-5, "attention patterns");
    }
}
