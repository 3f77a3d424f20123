using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.IO;
using NativeCore.Ledger;
using NativeCore.Training;

namespace NativeCore.Tests.Training;

public sealed class TrainerTests : TempDirectoryTest
{

    private static TrainingResult Pretrain(string outDir, bool resume = false, params string[] overrides) => Pretrain(outDir, resume, null, overrides);

    private static TrainingResult Pretrain(string outDir, bool resume, ITrainingObserver? observer, params string[] overrides)
    {
        var config = ConfigLoader.Load("smoke", overrides);
        using var backend = BackendRegistry.Create("cpu");
        return Trainer.Run(Stages.Pretrain(config, outDir, resume), backend, observer);
    }

    /// <summary>Remembers where a run started and which steps it ran.</summary>
    private sealed class StepRecorder : ITrainingObserver
    {
        public long FirstStep { get; private set; } = -1;
        public List<long> Steps { get; } = [];
        public void Started(string stage, long firstStep, long totalSteps) => FirstStep = firstStep;
        public void Stepped(StepRecord record) => Steps.Add(record.Step);
        public void Evaluated(long step, IReadOnlyList<SetAccuracy> results) { }
        public void Checkpointed(long step, string directory) { }
    }

    private static byte[] CheckpointBytes(string run, string file) => File.ReadAllBytes(Path.Combine(Checkpoint.Resolve(run), file));

    private static TrainingResult Finetune(string from, string outDir, params string[] overrides)
    {
        var config = ConfigLoader.WithOverrides(Checkpoint.ReadSidecar(Checkpoint.Resolve(from)).Config, overrides);
        using var backend = BackendRegistry.Create("cpu");
        return Trainer.Run(Stages.Finetune(config, Checkpoint.Resolve(from), outDir, resume: false), backend);
    }

    private static float[] Weights(string run) =>
        Safetensors.Read(Path.Combine(Checkpoint.Resolve(run), "model.safetensors")).Tensors.Values.SelectMany(t => t.ToFloat32()).ToArray();

    [Fact]
    public void Killed_and_resumed_run_ends_bit_identical_to_an_uninterrupted_one()
    {
        string[] args = ["--set", "pretrain.steps=600", "--set", "pretrain.checkpoint_every=25", "--set", "pretrain.eval_every=300"];
        Pretrain(Dir("whole"), false, "pretrain.steps=600", "pretrain.checkpoint_every=25", "pretrain.eval_every=300");

        using (var child = CliProcess.Start(["pretrain", "--preset", "smoke", "--out", Dir("killed"), .. args]))
        {
            string latest = Path.Combine(Dir("killed"), "latest");
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!(File.Exists(latest) && File.ReadAllText(latest).Contains("step-00001", StringComparison.Ordinal)) && !child.HasExited && DateTime.UtcNow < deadline)
                Thread.Sleep(5);
            Assert.False(child.HasExited, "the run finished before it could be killed; make it longer");
            child.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            child.WaitForExit();
        }
        long killedAt = Checkpoint.ReadSidecar(Checkpoint.Resolve(Dir("killed"))).Step;
        Assert.InRange(killedAt, 1, 599);
        // What a kill in the middle of the next checkpoint's write leaves: a half-written temporary folder beside the
        // complete checkpoints, which `latest` never names. The resume must not read it.
        string torn = Path.Combine(Dir("killed"), "checkpoints", $".step-{killedAt + 25:D7}.0123456789abcdef.tmp");
        Directory.CreateDirectory(torn);
        File.WriteAllBytes(Path.Combine(torn, "model.safetensors"), CheckpointBytes(Dir("killed"), "model.safetensors")[..100]);

        var recorder = new StepRecorder();
        var resumed = Pretrain(Dir("killed"), true, recorder, "pretrain.steps=600", "pretrain.checkpoint_every=25", "pretrain.eval_every=300");
        Assert.Equal(600, resumed.Steps);
        // It started where the killed run's last checkpoint left off, not at step 0, and ran only the remaining steps.
        Assert.Equal(killedAt, recorder.FirstStep);
        Assert.Equal(Enumerable.Range((int)killedAt + 1, 600 - (int)killedAt).Select(i => (long)i), recorder.Steps);
        // Model and optimizer state end byte for byte as the uninterrupted run's.
        Assert.Equal(CheckpointBytes(Dir("whole"), "model.safetensors"), CheckpointBytes(Dir("killed"), "model.safetensors"));
        Assert.Equal(CheckpointBytes(Dir("whole"), "optimizer.safetensors"), CheckpointBytes(Dir("killed"), "optimizer.safetensors"));
        Assert.Equal(Weights(Dir("whole")), Weights(Dir("killed")));
        // The metrics file has no duplicated steps after the resume.
        var steps = MetricsLog.Read(Path.Combine(Dir("killed"), "metrics.jsonl")).Where(r => (string?)r["kind"] == "step").Select(r => (long)r["step"]!).ToList();
        Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), steps);
    }

    [Fact]
    public void A_resume_from_another_parent_is_refused_and_the_run_left_alone()
    {
        // reFT always resumes: model B's reFT pointed at the folder of model A's must not continue A's curve.
        Pretrain(Dir("a"), false, "pretrain.steps=4", "seed=1");
        Pretrain(Dir("b"), false, "pretrain.steps=4", "seed=2");
        var config = ConfigLoader.WithOverrides(Checkpoint.ReadSidecar(Checkpoint.Resolve(Dir("a"))).Config, ["finetune.steps=4"]);
        using var backend = BackendRegistry.Create("cpu");
        Trainer.Run(Stages.Finetune(config, Checkpoint.Resolve(Dir("a")), Dir("tuned"), resume: true), backend);
        var before = CheckpointBytes(Dir("tuned"), "model.safetensors");

        var e = Assert.Throws<InvalidConfigException>(() => Trainer.Run(Stages.Finetune(config, Checkpoint.Resolve(Dir("b")), Dir("tuned"), resume: true), backend));
        Assert.Contains("continues a run from", e.Message, StringComparison.Ordinal);
        Assert.Contains(Dir("tuned"), e.Message, StringComparison.Ordinal);
        Assert.Equal(before, CheckpointBytes(Dir("tuned"), "model.safetensors"));
        // The same parent still resumes (here: finds the run complete).
        Assert.Equal(4, Trainer.Run(Stages.Finetune(config, Checkpoint.Resolve(Dir("a")), Dir("tuned"), resume: true), backend).Steps);
    }

    private static readonly string[] WidePretrain = ["pretrain", "--preset", "smoke", "--set", "model.n_embd=128", "--set", "model.n_head=4", "--set", "pretrain.batch_size=32",
        "--set", "model.dropout=0.1", "--set", "pretrain.steps=12", "--set", "pretrain.eval_every=12", "--set", "pretrain.checkpoint_every=12"];

    [Fact]
    public void One_two_and_four_threads_train_bit_identical_weights()
    {
        // Wide enough that the GEMMs, attention and reductions split across threads; DOTNET_PROCESSOR_COUNT sets how
        // many cores the runtime (and so Parallel.For and the thread pool) believes it has. With one or two, each of
        // the step's two batch shards runs its ops inline; with four, the ops inside each shard fork as well.
        foreach (string threads in new[] { "1", "2", "4" })
        {
            var (exit, _, err) = CliProcess.Run(new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = threads }, [.. WidePretrain, "--out", Dir($"threads-{threads}")]);
            Assert.True(exit == 0, err);
        }
        Assert.Equal(Weights(Dir("threads-1")), Weights(Dir("threads-2")));
        Assert.Equal(Weights(Dir("threads-1")), Weights(Dir("threads-4")));
    }

    [Fact]
    public void The_256_bit_and_512_bit_paths_train_bit_identical_weights()
    {
        // DOTNET_EnableAVX512=0 takes AVX-512 away from the runtime, so every kernel, reduction and exp runs its 256-bit
        // path; the default run takes the 512-bit paths where the processor has them (elsewhere both runs are 256-bit).
        var (exit, _, err) = CliProcess.Run(new Dictionary<string, string> { ["DOTNET_EnableAVX512"] = "0" }, [.. WidePretrain, "--out", Dir("narrow")]);
        Assert.True(exit == 0, err);
        (exit, _, err) = CliProcess.Run(new Dictionary<string, string>(), [.. WidePretrain, "--out", Dir("default")]);
        Assert.True(exit == 0, err);
        Assert.Equal(Weights(Dir("narrow")), Weights(Dir("default")));
    }

    [Fact]
    public void Without_resume_an_existing_run_is_refused_and_left_alone()
    {
        Pretrain(Dir("run"));
        var before = Weights(Dir("run"));
        var e = Assert.Throws<InvalidConfigException>(() => Pretrain(Dir("run")));
        Assert.Contains("--resume", e.Message);
        Assert.Equal(before, Weights(Dir("run")));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("bad-header")]
    [InlineData("wrong-shapes")]
    [InlineData("bad-sidecar")]
    public void Corrupted_checkpoint_gives_a_clear_error_and_leaves_files_intact(string damage)
    {
        Pretrain(Dir("pt"));
        string ckpt = Checkpoint.Resolve(Dir("pt"));
        string model = Path.Combine(ckpt, "model.safetensors");
        switch (damage)
        {
            case "truncated":
                File.WriteAllBytes(model, File.ReadAllBytes(model)[..^100]);
                break;
            case "bad-header":
                var bytes = File.ReadAllBytes(model);
                bytes[10] = (byte)'#';
                File.WriteAllBytes(model, bytes);
                break;
            case "wrong-shapes":
                var tensors = Safetensors.Read(model).Tensors.Values.Select(t => t.Name == "transformer.wpe.weight" ? SafeTensor.FromFloat32(t.Name, [t.Shape[1], t.Shape[0]], t.ToFloat32()) : t);
                Safetensors.Write(model, tensors.ToList());
                break;
            default:
                File.WriteAllText(Path.Combine(ckpt, ModelCard.FileName), "{ not json");
                break;
        }
        var snapshot = Directory.GetFiles(Dir("pt"), "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);

        var e = Assert.ThrowsAny<NativeCoreException>(() => Finetune(Dir("pt"), Dir("ft")));
        Assert.True(e is InvalidCheckpointException, e.GetType().Name + ": " + e.Message);
        Assert.Contains(ckpt, e.Message);
        Assert.False(Checkpoint.Exists(Dir("ft")));
        foreach (var (file, content) in snapshot) Assert.Equal(content, File.ReadAllBytes(file));

        var resumeError = Assert.ThrowsAny<NativeCoreException>(() => Pretrain(Dir("pt"), true));
        Assert.Contains(ckpt, resumeError.Message);
        foreach (var (file, content) in snapshot) Assert.Equal(content, File.ReadAllBytes(file));
    }

    [Fact]
    public void Huge_learning_rate_stops_on_nan_naming_the_step_and_keeps_good_checkpoints()
    {
        var e = Assert.Throws<NumericalDivergenceException>(() => Pretrain(Dir("nan"), false, "pretrain.lr=1e9", "pretrain.warmup=0", "pretrain.checkpoint_every=1"));
        Assert.Matches(@"at step \d+", e.Message);
        foreach (string ckpt in Directory.GetDirectories(Path.Combine(Dir("nan"), "checkpoints")))
            Assert.All(Safetensors.Read(Path.Combine(ckpt, "model.safetensors")).Tensors.Values.SelectMany(t => t.ToFloat32()), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Cli_exits_with_the_divergence_code_and_message()
    {
        var (exit, _, err) = CliProcess.Run("pretrain", "--preset", "smoke", "--out", Dir("nan-cli"), "--set", "pretrain.lr=1e9", "--set", "pretrain.warmup=0");
        Assert.Equal(4, exit);
        Assert.Contains("at step", err);
    }

    [Theory]
    [InlineData("pretrain.stepz=3", "pretrain.stepz")]
    [InlineData("modle.n_layer=3", "modle.n_layer")]
    [InlineData("pretrain.steps=many", "pretrain.steps")]
    [InlineData("model.bias=maybe", "model.bias")]
    [InlineData("pretrain.steps=-5", "pretrain.steps")]
    public void Bad_override_fails_naming_the_key(string assignment, string key)
    {
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("smoke", [assignment]));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Unknown_preset_fails_listing_the_presets()
    {
        var e = Assert.Throws<InvalidConfigException>(() => ConfigLoader.Load("huge"));
        Assert.Contains("quick", e.Message);
    }

    [Fact]
    public void Lineage_covers_pretrain_finetune_finetune()
    {
        Pretrain(Dir("pt"));
        Finetune(Dir("pt"), Dir("ft1"), "finetune.ctr=1");
        Finetune(Dir("ft1"), Dir("ft2"), "finetune.ctr=0", "finetune.lr=1e-3");
        var chain = LineageChain.Walk(Dir("ft2"));
        Assert.Equal(["pretrain", "finetune", "finetune"], chain.Select(l => l.Stage));
        Assert.All(chain, l => Assert.Equal(LineageSetting.Grammar, l.Setting));
        Assert.Null(chain[0].Parent);
        Assert.Equal(chain[0].Sha256, chain[1].Parent!.Sha256);
        Assert.Equal(chain[1].Sha256, chain[2].Parent!.Sha256);
        Assert.Equal(Checkpoint.ReadSidecar(chain[2].Directory).ModelSha256, chain[2].Sha256);
        Assert.Equal("1", chain[1].Settings["ctr"]);
        Assert.Equal("0.001", chain[2].Settings["lr"]);
        Assert.StartsWith("pretraining mix", chain[0].Settings["task"], StringComparison.Ordinal);
        Assert.All(chain, l => Assert.Equal(l.TotalSteps, l.Step));
        Assert.All(chain, l => Assert.False(l.ParentChanged));
        Assert.All(chain, l => Assert.False(string.IsNullOrEmpty(l.User)));
        Assert.All(chain, l => Assert.DoesNotContain("(unknown)", l.Software, StringComparison.Ordinal));

        Assert.Equal(3, LineageGraph.Write(Root, Dir("graph")));
        string dot = File.ReadAllText(Path.Combine(Dir("graph"), "lineage.dot"));
        Assert.Equal(2, dot.Split("->").Length - 1);
        Assert.True(new FileInfo(Path.Combine(Dir("graph"), "lineage.png")).Length > 1000);
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_decays_to_the_minimum()
    {
        var s = new LearningRateSchedule(1e-3, 100, 0.2, 0.01);
        Assert.Equal(1e-3 / 20, s.At(0), 12);
        Assert.Equal(1e-3, s.At(19), 12);
        Assert.True(s.At(50) < s.At(30));
        Assert.InRange(s.At(99), 1e-5, 1.1e-5); // one step before the end of the cosine
    }
}
