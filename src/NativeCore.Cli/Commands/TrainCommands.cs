using System.CommandLine;
using System.Globalization;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Training;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore pretrain</c> and <c>nativecore finetune</c>.</summary>
internal static class TrainCommands
{
    public static Option<string[]> SetOption() => new("--set") { Description = "Override a config key: --set pretrain.steps=500 (repeatable)", AllowMultipleArgumentsPerToken = false };

    public static Command Pretrain()
    {
        var preset = new Option<string>("--preset") { Description = $"Preset: {string.Join(", ", ConfigLoader.PresetNames)}, or a JSON file", DefaultValueFactory = _ => "quick" };
        var prior = new Option<string?>("--prior") { Description = "Operand prior: low, medium, high or pa,pb,pc (overrides data.prior)" };
        var seed = new Option<ulong?>("--seed") { Description = "Training seed (overrides seed)" };
        var output = new Option<string>("--out") { Description = "Run folder", Required = true };
        var set = SetOption();
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's latest checkpoint" };
        var backendOpt = CommonOptions.Backend();
        var setting = CommonOptions.Setting(Setting.Grammar, Setting.Stories);
        var corpus = new Option<string>("--corpus") { Description = "stories setting: procedural, or a TinyStories-Instruct JSON shard", DefaultValueFactory = _ => "procedural" };
        var protocol = new Option<string>("--protocol") { Description = "stories setting: none, or f for the control that never sees a twist", DefaultValueFactory = _ => "none" };
        var cmd = new Command("pretrain", "Pre-train a model on the grammar tasks, or (--setting stories) a LLaMA-style model on a story corpus") { preset, prior, seed, output, set, resume, backendOpt, setting, corpus, protocol };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            if (CommonOptions.ParseSetting(r.GetValue(setting), Setting.Grammar, Setting.Stories) == Setting.Stories)
            {
                var storyOverrides = new List<string> { $"corpus={r.GetValue(corpus)}" };
                if (r.GetValue(seed) is { } ss) storyOverrides.Add($"seed={ss}");
                storyOverrides.AddRange(r.GetValue(set) ?? []);
                return StoriesCommand.Train("pretrain", null, r.GetValue(output)!, r.GetValue(protocol)!, storyOverrides, null, 0, r.GetValue(backendOpt)!, r.GetValue(resume));
            }
            var overrides = new List<string>(r.GetValue(set) ?? []);
            if (r.GetValue(prior) is { } p) overrides.Add($"data.prior={p}");
            if (r.GetValue(seed) is { } s) overrides.Add($"seed={s}");
            overrides.Add($"backend={r.GetValue(backendOpt)}");
            var config = ConfigLoader.Load(r.GetValue(preset)!, overrides);
            return RunStage(Stages.Pretrain(config, r.GetValue(output)!, r.GetValue(resume)), config.Backend);
        }));
        return cmd;
    }

    public static Command Finetune()
    {
        var from = new Option<string>("--from") { Description = "Parent run folder or checkpoint", Required = true };
        var task = new Option<string?>("--task") { Description = "counter (C) or indexer (I)" };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (η_L 1e-4, η_M 1e-5, η_S 1e-6)" };
        var ctr = new Option<double?>("--ctr") { Description = "C_Tr: share of correlated training samples" };
        var steps = new Option<int?>("--steps") { Description = "Fine-tuning steps (overrides finetune.steps)" };
        var output = new Option<string>("--out") { Description = "Run folder", Required = true };
        var set = SetOption();
        var resume = new Option<bool>("--resume") { Description = "Continue from the run folder's latest checkpoint" };
        var backendOpt = CommonOptions.Backend();
        var setting = CommonOptions.ModelSetting(Setting.Grammar, Setting.Tracr, Setting.Stories);
        var protocol = new Option<string?>("--protocol") { Description = "stories setting: the deletion protocol, f, f+mm or f+rr" };
        var cmd = new Command("finetune", "Fine-tune a checkpoint to the Counter (count b) or Indexer task; a compiled model by the Tracr recipe; a stories model to delete the twist") { from, task, lr, ctr, steps, output, set, resume, backendOpt, setting, protocol };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var chosen = CommonOptions.OfModel(r.GetValue(setting), r.GetValue(from)!, Setting.Grammar, Setting.Tracr, Setting.Stories);
            if (chosen == Setting.Stories)
            {
                var storyOverrides = new List<string>();
                if (r.GetValue(lr) is { } sl) storyOverrides.Add(string.Create(CultureInfo.InvariantCulture, $"lr={sl}"));
                if (r.GetValue(steps) is { } sn) storyOverrides.Add($"steps={sn}");
                storyOverrides.AddRange(r.GetValue(set) ?? []);
                return StoriesCommand.Train("delete", r.GetValue(from)!, r.GetValue(output)!, r.GetValue(protocol) ?? "f", storyOverrides, null, 0, r.GetValue(backendOpt)!, r.GetValue(resume));
            }
            if (r.GetValue(protocol) is not null) throw new InvalidConfigException("--protocol applies to --setting stories only");
            if (chosen == Setting.Tracr)
            {
                if (r.GetValue(task) is { } tt) throw new InvalidConfigException($"--task '{tt}' does not apply to --setting tracr: the compiled program decides the task (count b, or the 7th smallest)");
                var recipe = new Tracr.TracrRecipe();
                recipe = recipe with
                {
                    LearningRate = r.GetValue(lr) ?? recipe.LearningRate,
                    CorrelatedShare = r.GetValue(ctr) ?? recipe.CorrelatedShare,
                    Steps = r.GetValue(steps) ?? recipe.Steps,
                };
                return TracrCommand.Train("finetune", r.GetValue(from)!, r.GetValue(output)!, recipe, r.GetValue(set) ?? [], r.GetValue(backendOpt)!, r.GetValue(resume));
            }
            string parent = Checkpoint.Resolve(r.GetValue(from)!);
            var overrides = new List<string>(r.GetValue(set) ?? []);
            if (r.GetValue(task) is { } t) overrides.Add($"finetune.task={t}");
            if (r.GetValue(lr) is { } l) overrides.Add(string.Create(CultureInfo.InvariantCulture, $"finetune.lr={l}"));
            if (r.GetValue(ctr) is { } c) overrides.Add(string.Create(CultureInfo.InvariantCulture, $"finetune.ctr={c}"));
            if (r.GetValue(steps) is { } n) overrides.Add($"finetune.steps={n}");
            overrides.Add($"backend={r.GetValue(backendOpt)}");
            var config = ConfigLoader.WithOverrides(Checkpoint.ReadSidecar(parent).Config, overrides);
            return RunStage(Stages.Finetune(config, parent, r.GetValue(output)!, r.GetValue(resume)), config.Backend);
        }));
        return cmd;
    }

    private static int RunStage(TrainingJob job, string backendName)
    {
        using var backend = BackendRegistry.Create(backendName);
        var result = ProgressDisplay.Run($"{job.Stage} → {job.OutputDirectory}", observer => Trainer.Run(job, backend, observer));
        Console.WriteLine($"{job.Stage} finished: {result.Steps} steps in {result.Seconds:F1} s; checkpoint {result.CheckpointDirectory}");
        foreach (var a in result.FinalEvaluation)
            Console.WriteLine($"  {a.Name,-16} {a.Accuracy,7:P1}   majority share {a.MajorityShare:P1}{(a.AtBaseline ? "   at baseline" : "")}");
        return 0;
    }
}
