using System.CommandLine;
using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.Training;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore prune|probe|attention|reft</c>: the mechanistic analysis tools.</summary>
internal static class AnalysisCommands
{
    private static Option<string> Model() => new("--model") { Description = "Run folder or checkpoint", Required = true };

    private static Option<string?> Compare() => new("--compare") { Description = "A second model (after fine-tuning) to show beside the first" };

    private static Option<string?> Out() => new("--out") { Description = "Output folder (default: analysis/<tool> inside the model's run folder)" };

    private static string OutDir(string? given, string model, string tool) => given ?? Path.Combine(model, "analysis", tool);

    /// <summary>Loads the model (and the --compare model, if given), runs <paramref name="body"/>, and frees them.</summary>
    private static int WithModels(string model, string? compare, string backendName, Func<IReadOnlyList<LoadedModel>, int> body)
    {
        using var backend = BackendRegistry.Create(backendName);
        var models = new List<LoadedModel> { LoadedModel.Load(model, backend) };
        try
        {
            if (compare is not null) models.Add(LoadedModel.Load(compare, backend));
            return body(models);
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    private static int ParseOperand(string? text) => text switch
    {
        "a" => 0,
        "b" => 1,
        _ => throw new InvalidConfigException($"--asked-with '{text}' must be a or b"),
    };

    /// <summary>The value, or a clear error naming the option when it is not positive.</summary>
    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new InvalidConfigException($"{option} must be positive, got {value}");

    private static (int Min, int Max) ParseRange(string text)
    {
        var parts = text.Split("..");
        if (parts.Length == 2 && int.TryParse(parts[0], out int lo) && int.TryParse(parts[1], out int hi) && lo >= 0 && hi >= lo)
        {
            // The curve is cumulative and starts from the unpruned model, so a lower bound other than 0 cannot be honoured.
            if (lo != 0) throw new InvalidConfigException($"--k '{text}': a pruning curve always starts at K = 0 (the unpruned model); give 0..{hi} or {hi}");
            return (lo, hi);
        }
        if (int.TryParse(text, out int k) && k >= 0) return (0, k);
        throw new InvalidConfigException($"--k '{text}' must look like 0..20");
    }

    public static Command Prune()
    {
        var model = Model();
        var capability = new Option<string>("--capability") { Description = "Capability to revive, e.g. counter:a", DefaultValueFactory = _ => "counter:a" };
        var units = new Option<string>("--units") { Description = "neurons or weights", DefaultValueFactory = _ => "neurons" };
        var k = new Option<string>("--k") { Description = "Range of K, e.g. 0..20", DefaultValueFactory = _ => "0..20" };
        var output = Out();
        var backendOpt = CommonOptions.Backend();
        var setting = CommonOptions.ModelSetting(Setting.Grammar, Setting.Tracr);
        var cmd = new Command("prune", "Zero the top-K units by gradient × weight and report accuracies against K") { model, capability, units, k, output, backendOpt, setting };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var unit = r.GetValue(units) switch
            {
                "neurons" => PruneUnit.Neurons,
                "weights" => PruneUnit.Weights,
                var u => throw new InvalidConfigException($"--units '{u}' must be neurons or weights"),
            };
            var (_, maxK) = ParseRange(r.GetValue(k)!);
            if (CommonOptions.OfModel(r.GetValue(setting), r.GetValue(model)!, Setting.Grammar, Setting.Tracr) == Setting.Tracr)
            {
                if (r.GetValue(capability) != "counter:a") throw new InvalidConfigException($"--capability '{r.GetValue(capability)}' does not apply to --setting tracr: pruning revives the compiled capability (count a, 5th smallest)");
                return TracrCommand.Prune(r.GetValue(model)!, unit, maxK, OutDir(r.GetValue(output), r.GetValue(model)!, $"prune-counter-a-{r.GetValue(units)}"), r.GetValue(backendOpt)!);
            }
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            using var m = LoadedModel.Load(r.GetValue(model)!, backend);
            string dir = OutDir(r.GetValue(output), r.GetValue(model)!, $"prune-{r.GetValue(capability)!.Replace(':', '-')}-{r.GetValue(units)}");
            var steps = AnalysisRuns.Prune(m, Capability.Parse(r.GetValue(capability)!), unit, maxK, dir);
            Console.WriteLine($"{"K",3}  " + string.Join("  ", steps[0].Accuracies.Select(a => $"{a.Name,16}")) + "  removed");
            foreach (var s in steps)
                Console.WriteLine($"{s.K,3}  " + string.Join("  ", s.Accuracies.Select(a => $"{a.Accuracy,16:P1}")) + (s.Removed is { } u ? $"  {u.Parameter}[{u.Index}]" : ""));
            Console.WriteLine($"wrote {Path.Combine(dir, "prune.json")} and prune.png");
            return 0;
        }));
        return cmd;
    }

    public static Command Probe()
    {
        var model = Model();
        var compare = Compare();
        var target = new Option<string>("--target") { Description = "count:a, count:b or answer", DefaultValueFactory = _ => "count:a" };
        var operand = new Option<string>("--asked-with") { Description = "Operand the probed samples ask about (a or b)", DefaultValueFactory = _ => "b" };
        var iters = new Option<int>("--iters") { Description = "Probe training iterations", DefaultValueFactory = _ => 4000 };
        var output = Out();
        var backendOpt = CommonOptions.Backend();
        var setting = CommonOptions.ModelSetting(Setting.Grammar, Setting.Stories);
        var cmd = new Command("probe", "Train linear probes per block: at ART for the grammar; for stories, one per feature on the mean of the last 10 positions") { model, compare, target, operand, iters, output, backendOpt, setting };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            int iterations = Positive(r.GetValue(iters), "--iters");
            if (CommonOptions.OfModel(r.GetValue(setting), r.GetValue(model)!, Setting.Grammar, Setting.Stories) == Setting.Stories)
                return StoriesCommand.Probe(new[] { r.GetValue(model)! }.Concat(r.GetValue(compare) is { } c ? [c] : Array.Empty<string>()).ToList(), iterations, r.GetValue(backendOpt)!);
            return WithModels(r.GetValue(model)!, r.GetValue(compare), r.GetValue(backendOpt)!, models =>
            {
                string dir = OutDir(r.GetValue(output), r.GetValue(model)!, $"probe-{r.GetValue(target)!.Replace(':', '-')}");
                var results = AnalysisRuns.Probe(models, r.GetValue(target)!, ParseOperand(r.GetValue(operand)), new ProbeConfig(Iterations: iterations), dir);
                foreach (var (name, blocks) in results)
                    Console.WriteLine($"{name}: " + string.Join("  ", blocks.Select((b, i) => string.Create(CultureInfo.InvariantCulture, $"{Probing.BlockLabel(i)} {b.TestAccuracy:P1}"))) + $"  (chance {blocks[0].Chance:P1})");
                Console.WriteLine($"wrote {Path.Combine(dir, "probe.json")} and probe.png");
                return 0;
            });
        }));
        return cmd;
    }

    public static Command Attention()
    {
        var model = Model();
        var compare = Compare();
        var sample = new Option<ulong>("--sample") { Description = "Seed of the sample to show", DefaultValueFactory = _ => 0 };
        var operand = new Option<string>("--asked-with") { Description = "Operand the sample asks about (a or b)", DefaultValueFactory = _ => "a" };
        var input = new Option<string?>("--input") { Description = "tracr setting: the input letters to show (default: sample --sample of the program's task)" };
        var output = Out();
        var backendOpt = CommonOptions.Backend();
        var setting = CommonOptions.ModelSetting(Setting.Grammar, Setting.Tracr);
        var cmd = new Command("attention", "Write attention heatmaps (queries down, keys across) per block and head, and the numbers as JSON") { model, compare, sample, operand, input, output, backendOpt, setting };
        cmd.SetAction(r => CliRunner.Run(() => CommonOptions.OfModel(r.GetValue(setting), r.GetValue(model)!, Setting.Grammar, Setting.Tracr) == Setting.Tracr
            ? TracrCommand.Attention(new[] { r.GetValue(model)! }.Concat(r.GetValue(compare) is { } c ? [c] : Array.Empty<string>()).ToList(), r.GetValue(input), r.GetValue(sample), OutDir(r.GetValue(output), r.GetValue(model)!, $"attention-{r.GetValue(sample)}"), r.GetValue(backendOpt)!)
            : WithModels(r.GetValue(model)!, r.GetValue(compare), r.GetValue(backendOpt)!, models =>
        {
            string dir = OutDir(r.GetValue(output), r.GetValue(model)!, $"attention-{r.GetValue(sample)}");
            var files = AnalysisRuns.Attention(models, r.GetValue(sample), ParseOperand(r.GetValue(operand)), dir);
            Console.WriteLine($"wrote {Path.Combine(dir, "attention.json")} and {files.Count} heatmaps");
            return 0;
        })));
        return cmd;
    }

    public static Command Reft()
    {
        var model = Model();
        var lr = new Option<double?>("--lr") { Description = "Learning rate for reFT and the baselines (default: the setting's: 1e-5 grammar and stories, 1e-4 tracr)" };
        var steps = new Option<int?>("--steps") { Description = "Steps (default: 1000; 4000 for stories, as the spec has it)" };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate every E steps", DefaultValueFactory = _ => 50 };
        var swapped = new Option<string?>("--scr-ft-from") { Description = "A model pre-trained with a and b swapped in the prior (the Scr.+FT baseline)" };
        var noScratch = new Option<bool>("--no-scratch") { Description = "Skip the from-scratch (Scr.) baseline" };
        var output = Out();
        var backendOpt = CommonOptions.Backend();
        var setting = CommonOptions.ModelSetting(Setting.Grammar, Setting.Tracr, Setting.Stories);
        var set = TrainCommands.SetOption();
        var scoreAt = StoriesCommand.ScoreAtOption();
        var scoreN = StoriesCommand.ScoreCountOption();
        var resume = new Option<bool>("--resume") { Description = "tracr and stories settings: continue the reFT run in --out from its latest checkpoint" };
        var cmd = new Command("reft", "Reverse fine-tune on the removed capability (count a; the compiled capability; Twist stories) and, for the grammar, compare with Scr.+FT and Scr. at the same learning rate") { model, lr, steps, evalEvery, swapped, noScratch, output, backendOpt, setting, set, scoreAt, scoreN, resume };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var chosen = CommonOptions.OfModel(r.GetValue(setting), r.GetValue(model)!, Setting.Grammar, Setting.Tracr, Setting.Stories);
            if (chosen == Setting.Stories)
            {
                var overrides = new List<string> { $"eval_every={r.GetValue(evalEvery)}" };
                if (r.GetValue(lr) is { } storyLr) overrides.Add(string.Create(CultureInfo.InvariantCulture, $"lr={storyLr}"));
                if (r.GetValue(steps) is { } storySteps) overrides.Add($"steps={storySteps}");
                overrides.AddRange(r.GetValue(set) ?? []);
                return StoriesCommand.Train("reft", r.GetValue(model)!, r.GetValue(output) ?? Path.Combine(r.GetValue(model)!, "reft"), "twist", overrides, r.GetValue(scoreAt), r.GetValue(scoreN), r.GetValue(backendOpt)!, r.GetValue(resume));
            }
            if (chosen == Setting.Tracr)
            {
                var recipe = Tracr.TracrRecipe.ReverseFinetune(r.GetValue(lr) ?? Tracr.TracrRecipe.ReftLearningRate, r.GetValue(steps) ?? ReverseFinetuning.DefaultSteps, r.GetValue(evalEvery));
                return TracrCommand.Train("reft", r.GetValue(model)!, OutDir(r.GetValue(output), r.GetValue(model)!, string.Create(CultureInfo.InvariantCulture, $"reft-lr{recipe.LearningRate:G2}")), recipe, r.GetValue(set) ?? [], r.GetValue(backendOpt)!, r.GetValue(resume));
            }
            if (r.GetValue(set) is { Length: > 0 }) throw new InvalidConfigException("reft --set applies to the tracr setting; the grammar setting takes the recipe from the model's config");
            // The grammar reFT runs three curves (reFT, Scr.+FT, Scr.) into one folder; each is a short run of its own.
            if (r.GetValue(resume)) throw new InvalidConfigException("reft --resume applies to the tracr and stories settings; a grammar reFT reruns its three short curves");
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            double grammarLr = r.GetValue(lr) ?? ReverseFinetuning.DefaultLearningRate;
            string dir = OutDir(r.GetValue(output), r.GetValue(model)!, string.Create(CultureInfo.InvariantCulture, $"reft-lr{grammarLr:G2}"));
            var curves = ProgressDisplay.Run("reFT", observer => AnalysisRuns.Reft(r.GetValue(model)!, r.GetValue(swapped), !r.GetValue(noScratch), grammarLr, r.GetValue(steps) ?? ReverseFinetuning.DefaultSteps, r.GetValue(evalEvery), dir, backend, observer));
            foreach (var c in curves)
                Console.WriteLine($"{c.Name,-8} start {c.Accuracy[0]:P1}, end {c.Accuracy[^1]:P1}; steps to 90%: {c.StepsTo90?.ToString(CultureInfo.InvariantCulture) ?? "not reached"}; to 99%: {c.StepsTo99?.ToString(CultureInfo.InvariantCulture) ?? "not reached"}");
            Console.WriteLine($"wrote {Path.Combine(dir, "reft.json")} and reft.png");
            return 0;
        }));
        return cmd;
    }
}
