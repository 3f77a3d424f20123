using System.CommandLine;
using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Tracr;
using NativeCore.Training;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore tracr compile|eval|finetune|reft|prune|attention</c>: the compiled-transformer setting.</summary>
internal static class TracrCommand
{
    public static Command Create()
    {
        var cmd = new Command("tracr", "Compile RASP programs to weights (Tracr's construction), fine-tune and analyse them");
        cmd.Subcommands.Add(Compile());
        cmd.Subcommands.Add(Eval());
        cmd.Subcommands.Add(Train("finetune", "Fine-tune a compiled Counter to count b (noise, SGD with momentum, warm-up and cosine)", "b", 1e-2, 0.001));
        cmd.Subcommands.Add(Train("reft", "Reverse fine-tune: train a fine-tuned Counter back to count a on plain data", "a", 1e-4, 0));
        cmd.Subcommands.Add(Prune());
        cmd.Subcommands.Add(Attention());
        return cmd;
    }

    private static Command Compile()
    {
        var program = new Option<string>("--program") { Description = "counter or maxid", Required = true };
        var maxLen = new Option<int?>("--max-len") { Description = "N, the longest input (default: counter 45, maxid 12)" };
        var exactness = new Option<double>("--mlp-exactness") { Description = "L of the SelectorWidth decoder (Tracr's default 100)", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "Folder for model.safetensors and tracr.json", Required = true };
        var cmd = new Command("compile", "Compile a RASP program to a model") { program, maxLen, exactness, output };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            string name = r.GetValue(program)!;
            var (sop, vocabulary) = TracrPrograms.ByName(name);
            int n = r.GetValue(maxLen) ?? TracrPrograms.DefaultMaxLength(name);
            if (n < 2) throw new InvalidConfigException($"--max-len must be at least 2 (the answer is read at index 1), got {n}");
            double l = r.GetValue(exactness);
            if (!(l > 0)) throw new InvalidConfigException($"--mlp-exactness must be positive, got {l}");
            var model = TracrCompiler.Compile(sop, vocabulary, new TracrOptions(n, l)) with
            {
                Program = name,
                Lineage = new TracrLineage { Stage = "compile", Settings = new Dictionary<string, string> { ["program"] = name, ["max_len"] = n.ToString(CultureInfo.InvariantCulture), ["mlp_exactness"] = l.ToString("G", CultureInfo.InvariantCulture) } },
            };
            string dir = r.GetValue(output)!;
            model.Save(dir);
            var c = model.Config;
            Console.WriteLine($"compiled {name} (N={n}, L={l}) → {dir}: {c.NLayer} layers, {c.NHead} head(s), width {c.NEmbd}, key size {c.HeadSize}, MLP hidden {c.Inner}, {c.OutputSize} output values");
            return 0;
        }));
        return cmd;
    }

    private static Command Eval()
    {
        var dir = new Argument<string>("model") { Description = "A compiled or fine-tuned model folder" };
        var count = new Option<int>("--n") { Description = "Random inputs to score", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the inputs", DefaultValueFactory = _ => 7 };
        var length = new Option<int?>("--length") { Description = "Input letters (default: counter N, maxid 10)" };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("eval", "Score a model against the program's reference semantics") { dir, count, seed, length, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var model = CompiledModel.Load(r.GetValue(dir)!);
            string program = model.Program.Length > 0 ? model.Program : "counter";
            int len = r.GetValue(length) ?? (program == "maxid" ? Math.Min(10, model.MaxLength) : model.MaxLength);
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            using var gpt = model.Build(backend);
            var task = new TracrTask { Program = program, Length = len };
            var samples = task.Samples(model, r.GetValue(seed), r.GetValue(count));
            double acc = TracrTask.Accuracy(gpt, model, samples);
            Console.WriteLine($"{program} (N={model.MaxLength}, L={model.MlpExactness}): {acc:P2} of {samples.Length} random inputs agree with the reference at position {TracrTask.AnswerPosition}");
            if (program == "counter")
                PrintAccuracies(TracrTraining.Evaluate(gpt, model, TracrTraining.CounterSets(model, 1024, 20240101)));
            return 0;
        }));
        return cmd;
    }

    private static Command Train(string stage, string description, string letter, double defaultLr, double defaultNoise)
    {
        var from = new Option<string>("--from") { Description = "Parent model folder", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the trained model", Required = true };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => defaultLr };
        var ctr = new Option<double>("--ctr") { Description = "C_Tr: share of samples with count(b) − count(a) = q", DefaultValueFactory = _ => 0 };
        var steps = new Option<int>("--steps") { Description = "Iterations (spec: 10,000)", DefaultValueFactory = _ => 10_000 };
        var batch = new Option<int>("--batch-size") { Description = "Sequences per iteration", DefaultValueFactory = _ => 96 };
        var noise = new Option<double>("--noise") { Description = "Std of the Gaussian noise added to every weight first", DefaultValueFactory = _ => defaultNoise };
        var evalEvery = new Option<int>("--eval-every") { Description = "Evaluate every this many steps", DefaultValueFactory = _ => 500 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of noise and data", DefaultValueFactory = _ => 1 };
        var clip = new Option<double>("--grad-clip") { Description = "Global gradient-norm clip; 0 turns it off (the spec's recipe has none)", DefaultValueFactory = _ => 1.0 };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command(stage, description) { from, output, lr, ctr, steps, batch, noise, evalEvery, seed, clip, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            string parentDir = r.GetValue(from)!;
            var parent = CompiledModel.Load(parentDir);
            var recipe = new TracrRecipe
            {
                Letter = letter, LearningRate = r.GetValue(lr), CorrelatedShare = r.GetValue(ctr), Steps = r.GetValue(steps),
                BatchSize = r.GetValue(batch), NoiseStd = r.GetValue(noise), EvalEvery = r.GetValue(evalEvery), Seed = r.GetValue(seed), GradClip = r.GetValue(clip),
            };
            if (recipe.Steps <= 0 || recipe.BatchSize <= 0 || recipe.EvalEvery <= 0) throw new InvalidConfigException("--steps, --batch-size and --eval-every must be positive");
            if (!(recipe.LearningRate > 0)) throw new InvalidConfigException($"--lr must be positive, got {recipe.LearningRate}");
            if (recipe.CorrelatedShare is < 0 or > 1) throw new InvalidConfigException($"--ctr must be in [0, 1], got {recipe.CorrelatedShare}");
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = TracrTraining.Train(parent, parentDir, recipe, backend, r.GetValue(output)!, stage, Console.WriteLine);
            Console.WriteLine($"{stage} finished: {recipe.Steps} steps in {clock.Elapsed.TotalSeconds:F1} s → {r.GetValue(output)}");
            PrintAccuracies(result.History[^1].Accuracies);
            foreach (double threshold in new[] { 0.9, 0.99 })
            {
                string set = Evaluator.SetName(false, letter == "a" ? 0 : 1);
                Console.WriteLine($"  steps to {threshold:P0} on {set}: {result.StepsTo(set, threshold)?.ToString(CultureInfo.InvariantCulture) ?? "not reached"} (evaluated every {recipe.EvalEvery})");
            }
            return 0;
        }));
        return cmd;
    }

    private static Command Prune()
    {
        var dir = new Argument<string>("model") { Description = "A model folder" };
        var units = new Option<string>("--units") { Description = "weights or neurons", DefaultValueFactory = _ => "weights" };
        var k = new Option<int>("--k") { Description = "Prune up to this many units", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--out") { Description = "Folder for prune.csv and prune.png", Required = true };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("prune", "Zero the units whose gradient × weight on the count-a loss is largest, one at a time") { dir, units, k, output, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var model = CompiledModel.Load(r.GetValue(dir)!);
            var unit = r.GetValue(units) switch
            {
                "weights" => PruneUnit.Weights,
                "neurons" => PruneUnit.Neurons,
                var other => throw new InvalidConfigException($"--units must be weights or neurons, got '{other}'"),
            };
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            using var gpt = model.Build(backend);
            var sets = TracrTraining.CounterSets(model, 1024, 20240101);
            var scoreSamples = new TracrTask { Program = "counter", Length = model.MaxLength, Letter = "a" }.Samples(model, 4242, 256);
            var (tokens, targets) = TracrTask.Batch(model, scoreSamples);
            var scores = Pruning.Score(gpt, tokens, targets, scoreSamples.Length, model.MaxLength + 1, unit);
            var curve = Pruning.Curve(gpt, scores, unit, r.GetValue(k), () => TracrTraining.Evaluate(gpt, model, sets));
            string outDir = r.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var names = curve[0].Accuracies.Select(a => a.Name).ToList();
            var lines = new List<string> { "k,parameter,index,score," + string.Join(",", names) };
            foreach (var step in curve)
            {
                lines.Add(string.Join(",", new[] { step.K.ToString(CultureInfo.InvariantCulture), step.Removed?.Parameter ?? "", step.Removed?.Index.ToString(CultureInfo.InvariantCulture) ?? "", step.Removed?.Score.ToString("G6", CultureInfo.InvariantCulture) ?? "" }
                    .Concat(step.Accuracies.Select(a => a.Accuracy.ToString("F4", CultureInfo.InvariantCulture)))));
                Console.WriteLine($"K={step.K,2} {(step.Removed is { } p ? $"{p.Parameter}[{p.Index}]" : "(none)"),-44} " + string.Join("  ", step.Accuracies.Select(a => $"{a.Name} {a.Accuracy,6:P1}")));
            }
            AtomicFile.WriteAllText(Path.Combine(outDir, "prune.csv"), string.Join("\n", lines) + "\n");
            Plots.Lines(Path.Combine(outDir, "prune.png"), $"pruning {r.GetValue(units)} by gradient × weight (count-a loss)", "units pruned", "accuracy",
                names.Select(n => new Series(n, curve.Select(s => (double)s.K).ToArray(), curve.Select(s => s.Accuracies.First(a => a.Name == n).Accuracy).ToArray())).ToList());
            return 0;
        }));
        return cmd;
    }

    private static Command Attention()
    {
        var dir = new Argument<string>("model") { Description = "A model folder" };
        var compare = new Option<string?>("--compare") { Description = "A second model folder, drawn beside the first" };
        var input = new Option<string>("--input") { Description = "The input letters, for example abacadaeafag", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the heatmaps", Required = true };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("attention", "Attention maps per layer, with token-labelled axes, and the residual stream by direction name") { dir, compare, input, output, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var folders = new[] { r.GetValue(dir)! }.Concat(r.GetValue(compare) is { } c ? [c] : Array.Empty<string>()).ToList();
            string[] letters = r.GetValue(input)!.Select(ch => ch.ToString()).ToArray();
            var maps = new List<(string, AttentionMap)>();
            string outDir = r.GetValue(output)!;
            foreach (string folder in folders)
            {
                var model = CompiledModel.Load(folder);
                if (letters.Length > model.MaxLength) throw new InvalidConfigException($"--input has {letters.Length} letters; {folder} takes at most {model.MaxLength}");
                using var gpt = model.Build(backend);
                int[] ids = model.Encode(letters);
                var names = ids.Select(i => model.InputTokens[i]).ToList();
                string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
                maps.Add((name, AttentionMaps.Read(gpt, ids, names)));
                WriteResidual(gpt, model, ids, names, Path.Combine(outDir, $"residual-{name}.png"));
            }
            foreach (string file in AttentionMaps.Write(outDir, maps)) Console.WriteLine(file);
            return 0;
        }));
        return cmd;
    }

    /// <summary>One heatmap per block of the residual stream after it: positions down, named directions across.</summary>
    private static void WriteResidual(Gpt gpt, CompiledModel model, int[] ids, IReadOnlyList<string> tokens, string png)
    {
        var hooks = Enumerable.Range(0, gpt.Config.NLayer).Select(HookPoints.ResidPost).ToList();
        using var cache = new ActivationCache(hooks);
        gpt.Forward(ids, [], 1, ids.Length, cache);
        int t = ids.Length, c = gpt.Config.NEmbd;
        var panels = hooks.Select((h, l) =>
        {
            var flat = cache[h].ToArray();
            var grid = new double[t, c];
            for (int p = 0; p < t; p++)
                for (int d = 0; d < c; d++) grid[t - 1 - p, d] = flat[p * c + d];
            return ($"after block {l}", grid);
        }).ToList();
        Plots.Heatmaps(png, "residual stream by direction", panels, tokens, model.Residual);
        Console.WriteLine(png);
    }

    private static void PrintAccuracies(IReadOnlyList<SetAccuracy> accuracies)
    {
        foreach (var a in accuracies)
            Console.WriteLine($"  {a.Name,-16} {a.Accuracy,7:P1}   majority share {a.MajorityShare:P1}{(a.AtBaseline ? "   at baseline" : "")}");
    }
}
