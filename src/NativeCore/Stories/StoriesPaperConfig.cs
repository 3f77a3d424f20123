using System.Text.Json;
using System.Text.Json.Serialization;
using NativeCore.Experiments;
using NativeCore.Model;

namespace NativeCore.Stories;

/// <summary>
/// The stories grid of <c>nativecore paper --setting stories</c> (spec tinystories.md §2–3): a pre-training on every
/// story, the control pre-trained on filtered data, the three deletion protocols, reFT on Twist stories from each
/// deleted model and from the control (scored at <see cref="ScoreAt"/>), and the twist probes.
/// </summary>
internal sealed record StoriesPaperConfig
{
    /// <summary>quick, paper or smoke.</summary>
    [JsonPropertyName("preset")] public string Preset { get; set; } = "quick";

    /// <summary>The pre-training settings (model, corpus, steps, lr…); the stages below start from them.</summary>
    [JsonPropertyName("stories")] public StoriesConfig Stories { get; set; } = QuickStories;

    /// <summary>Deletion fine-tuning steps (at the stage default: a constant lr of 1e-4).</summary>
    [JsonPropertyName("delete_steps")] public int DeleteSteps { get; set; } = 200;

    /// <summary>reFT steps on Twist stories (at the spec's constant lr of 1e-5).</summary>
    [JsonPropertyName("reft_steps")] public int ReftSteps { get; set; } = 300;

    /// <summary>The reFT steps at which the twist share is scored (the paper's Table 1: 0, 30, 300, 3000).</summary>
    [JsonPropertyName("score_at")] public int[] ScoreAt { get; set; } = [0, 30, 300];

    /// <summary>Stories generated per score.</summary>
    [JsonPropertyName("score_n")] public int ScoreCount { get; set; } = 96;

    /// <summary>Probe training and test examples.</summary>
    [JsonPropertyName("probe_train")] public int ProbeTrain { get; set; } = 1024;

    /// <summary>Probe test examples.</summary>
    [JsonPropertyName("probe_test")] public int ProbeTest { get; set; } = 512;

    /// <summary>Probe optimiser iterations.</summary>
    [JsonPropertyName("probe_iterations")] public int ProbeIterations { get; set; } = 1000;

    /// <summary>
    /// The quick preset's pre-training: the default LLaMA-style model at half depth and two-thirds width (2 layers of
    /// 128, SwiGLU 352), 1,500 steps, so that two pre-trainings, three deletions, four reFT runs, the scores and the
    /// probes fit 20 minutes on 2 cores.
    /// </summary>
    private static StoriesConfig QuickStories => new()
    {
        Model = new StoriesConfig().Model with { NLayer = 2, NEmbd = 128, InnerOverride = 352 },
        Steps = 1500,
    };

    /// <summary>The named presets.</summary>
    public static StoriesPaperConfig Named(string name) => name switch
    {
        "quick" => new StoriesPaperConfig(),
        "paper" => new StoriesPaperConfig { Preset = "paper", Stories = new StoriesConfig(), DeleteSteps = 300, ReftSteps = 3000, ScoreAt = [0, 30, 300, 3000], ScoreCount = 192, ProbeTrain = 2048, ProbeTest = 1024, ProbeIterations = 2000 },
        "smoke" => new StoriesPaperConfig
        {
            Preset = "smoke", Stories = QuickStories with { Model = QuickStories.Model with { NLayer = 1, NEmbd = 32, NHead = 2, InnerOverride = 64, BlockSize = 128 }, Steps = 6, BatchSize = 4, EvalEvery = 3 },
            DeleteSteps = 3, ReftSteps = 4, ScoreAt = [0, 2, 4], ScoreCount = 4, ProbeTrain = 32, ProbeTest = 16, ProbeIterations = 20,
        },
        _ => throw new InvalidConfigException($"unknown stories preset '{name}'; use quick, paper or smoke"),
    };

    /// <summary>The options the grid's <c>--set</c> keys and values are read with.</summary>
    internal static JsonSerializerOptions OverrideOptions => StoriesConfig.Reading;

    /// <summary>Applies <c>key=value</c> overrides (<c>reft_steps=100</c>, <c>stories.steps=900</c>, <c>stories.model.n_layer=3</c>), then checks the result.</summary>
    /// <exception cref="InvalidConfigException">An unknown key, a value of the wrong type, or an invalid value; the message names it.</exception>
    public StoriesPaperConfig WithOverrides(IEnumerable<string> overrides)
    {
        var c = Overrides.Apply(this, overrides, "stories paper", OverrideOptions);
        c.Validate();
        return c;
    }

    /// <summary>Throws naming the first field that cannot work.</summary>
    public void Validate()
    {
        void Check(bool ok, string field, object value, string rule)
        {
            if (!ok) throw new InvalidConfigException($"stories paper {field} {rule}, got {value}");
        }
        Stories.Validate();
        Check(DeleteSteps > 0, "delete_steps", DeleteSteps, "must be positive");
        Check(ReftSteps > 0, "reft_steps", ReftSteps, "must be positive");
        Check(ScoreAt.Length > 0 && ScoreAt[0] == 0 && ScoreAt.All(s => s >= 0 && s <= ReftSteps) && ScoreAt.Zip(ScoreAt.Skip(1)).All(p => p.First < p.Second),
            "score_at", string.Join(",", ScoreAt), "must rise from 0 to at most reft_steps");
        Check(ScoreCount > 0, "score_n", ScoreCount, "must be positive");
        Check(ProbeTrain > 1 && ProbeTest > 0, "probe_train/probe_test", $"{ProbeTrain}/{ProbeTest}", "must be positive (at least 2 to train)");
        Check(ProbeIterations > 0, "probe_iterations", ProbeIterations, "must be positive");
    }
}
