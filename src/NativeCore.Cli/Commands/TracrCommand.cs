using System.CommandLine;
using System.Globalization;
using NativeCore.Analysis;
using NativeCore.Backends;
using NativeCore.IO;
using NativeCore.Model;
using NativeCore.Tracr;
using NativeCore.Training;

namespace NativeCore.Cli.Commands;

/// <summary>
/// <c>nativecore tracr compile|eval</c>, and the tracr setting of <c>finetune</c>, <c>reft</c>, <c>prune</c> and
/// <c>attention</c> (<c>--setting tracr</c>), which read and write compiled-model folders.
/// </summary>
internal static class TracrCommand
{
    public static Command Create()
    {
        var cmd = new Command("tracr", "Compile RASP programs to weights (Tracr's construction) and score them; finetune, reft, prune and attention take --setting tracr");
        cmd.Subcommands.Add(Compile());
        cmd.Subcommands.Add(Eval());
        return cmd;
    }

    /// <summary>The longest input <c>tracr compile</c> accepts (the paper uses 45 for the Counter).</summary>
    private const int MaxCompileLength = 512;

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
            int n = r.GetValue(maxLen) ?? TracrPrograms.DefaultMaxLength(name);
            if (n < 2) throw new InvalidConfigException($"--max-len must be at least 2 (the answer is read at index 1), got {n}");
            // The compiled widths grow with N (the Counter's value set is 0…N), so an unbounded N exhausts memory.
            if (n > MaxCompileLength) throw new InvalidConfigException($"--max-len {n} is above the largest this tool compiles, {MaxCompileLength}");
            double l = r.GetValue(exactness);
            if (!(l > 0)) throw new InvalidConfigException($"--mlp-exactness must be positive, got {l}");
            var model = TracrPrograms.Compile(name, new TracrOptions(n, l)) with
            {
                Lineage = new TracrLineage { Stage = "compile", Settings = new Dictionary<string, string> { ["program"] = name, ["max_len"] = n.ToString(CultureInfo.InvariantCulture), ["mlp_exactness"] = l.ToString("G", CultureInfo.InvariantCulture) } },
            };
            string dir = r.GetValue(output)!;
            OutputFolder.Claim(dir, OutputFolder.Kinds.TracrModel, requireEmpty: true);
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
            if (r.GetValue(count) < 1) throw new InvalidConfigException($"--n must be positive, got {r.GetValue(count)}");
            if (r.GetValue(length) is < 1 and var bad) throw new InvalidConfigException($"--length must be positive, got {bad}");
            var model = CompiledModel.Load(r.GetValue(dir)!);
            var task = TracrTask.For(model);
            if (r.GetValue(length) is { } len) task = task with { Length = len };
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            using var gpt = model.Build(backend);
            var samples = task.Samples(model, r.GetValue(seed), r.GetValue(count));
            double acc = TracrTask.Accuracy(gpt, model, samples);
            Console.WriteLine($"{task.Program} (N={model.MaxLength}, L={model.MlpExactness}): {acc:P2} of {samples.Length} random inputs agree with the reference at position {TracrTask.AnswerPosition}");
            PrintAccuracies(TracrTraining.Evaluate(gpt, model, TracrTraining.HeldOutSets(model, 1024, 20240101)));
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// Fine-tunes the model in <paramref name="from"/> to the program's fine-tuning target (or, reversed, back to the
    /// compiled capability) by the spec's recipe, with <paramref name="overrides"/> (<c>--set key=value</c>) on top, and
    /// prints the accuracies and steps to 90%.
    /// </summary>
    public static int Train(string stage, string from, string output, TracrRecipe recipe, IEnumerable<string> overrides, string backendName, bool resume = false)
    {
        var parent = CompiledModel.Load(from);
        var resolved = recipe.WithOverrides(overrides);
        using var backend = BackendRegistry.Create(backendName);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = TracrTraining.Train(parent, from, resolved, backend, output, stage, Console.WriteLine, resume);
        Console.WriteLine($"{stage} finished: {resolved.Steps} steps in {clock.Elapsed.TotalSeconds:F1} s → {output}");
        PrintAccuracies(result.History[^1].Accuracies);
        string set = (TracrTask.For(parent) with { FineTuneTarget = !resolved.Reverse }).SetName(correlated: false);
        foreach (double threshold in new[] { 0.9, 0.99 })
            Console.WriteLine($"  steps to {threshold:P0} on {set}: {result.StepsTo(set, threshold)?.ToString(CultureInfo.InvariantCulture) ?? "not reached"} (evaluated every {resolved.EvalEvery})");
        return 0;
    }

    /// <summary>Prunes units by gradient × weight on the compiled capability's loss, K = 0…maxK, and writes prune-units.csv and prune.png.</summary>
    public static int Prune(string folder, PruneUnit unit, int maxK, string outDir, string backendName)
    {
        var model = CompiledModel.Load(folder);
        using var backend = BackendRegistry.Create(backendName);
        using var gpt = model.Build(backend);
        var sets = TracrTraining.HeldOutSets(model, 1024, 20240101);
        var task = TracrTask.For(model);
        var scoreSamples = task.Samples(model, 4242, 256);
        var (tokens, targets) = TracrTask.Batch(model, scoreSamples);
        // A compiled model's readout is a weight matrix like any other; a wrapper can sit there, so it is prunable too.
        var scores = Pruning.Score(gpt, tokens, targets, scoreSamples.Length, task.Length + 1, unit, Pruning.WeightMatrices(gpt));
        var curve = Pruning.Curve(gpt, scores, unit, maxK, () => TracrTraining.Evaluate(gpt, model, sets));
        OutputFolder.Claim(outDir, OutputFolder.Kinds.Analysis);
        var names = curve[0].Accuracies.Select(a => a.Name).ToList();
        var lines = new List<string> { "k,parameter,index,score," + string.Join(",", names) };
        foreach (var step in curve)
        {
            lines.Add(string.Join(",", new[] { step.K.ToString(CultureInfo.InvariantCulture), step.Removed?.Parameter ?? "", step.Removed?.Index.ToString(CultureInfo.InvariantCulture) ?? "", step.Removed?.Score.ToString("G6", CultureInfo.InvariantCulture) ?? "" }
                .Concat(step.Accuracies.Select(a => a.Accuracy.ToString("F4", CultureInfo.InvariantCulture)))));
            Console.WriteLine($"K={step.K,2} {(step.Removed is { } p ? $"{p.Parameter}[{p.Index}]" : "(none)"),-44} " + string.Join("  ", step.Accuracies.Select(a => $"{a.Name} {a.Accuracy,6:P1}")));
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, "prune-units.csv"), string.Join("\n", lines) + "\n");
        Plots.Lines(Path.Combine(outDir, "prune.png"), $"pruning {unit.ToString().ToLowerInvariant()} by gradient × weight ({task.SetName(false)} loss)", "units pruned", "accuracy",
            names.Select(n => new Series(n, curve.Select(s => (double)s.K).ToArray(), curve.Select(s => s.Accuracies.First(a => a.Name == n).Accuracy).ToArray())).ToList());
        Console.WriteLine($"wrote {Path.Combine(outDir, "prune-units.csv")} (units removed) and prune.png (with prune.csv)");
        return 0;
    }

    /// <summary>
    /// Attention maps per layer with token-labelled axes, and the residual stream by direction name, for one input:
    /// <paramref name="input"/>'s letters, or the Counter's sample number <paramref name="sample"/>.
    /// </summary>
    public static int Attention(IReadOnlyList<string> folders, string? input, ulong sample, string outDir, string backendName)
    {
        using var backend = BackendRegistry.Create(backendName);
        var maps = new List<(string, AttentionMap)>();
        foreach (string folder in folders)
        {
            var model = CompiledModel.Load(folder);
            string[] letters = input is { } text
                ? text.Select(ch => ch.ToString()).ToArray()
                : TracrTask.For(model).Sample(model, 31337, (long)sample).Tokens;
            if (letters.Length > model.MaxLength) throw new InvalidConfigException($"--input has {letters.Length} letters; {folder} takes at most {model.MaxLength}");
            if (letters.FirstOrDefault(l => !model.Vocabulary.Contains(l)) is { } unknown)
                throw new InvalidConfigException($"--input: '{unknown}' is not in {folder}'s vocabulary ({string.Join("", model.Vocabulary)})");
            using var gpt = model.Build(backend);
            int[] ids = model.Encode(letters);
            var names = ids.Select(i => model.InputTokens[i]).ToList();
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
            maps.Add((name, AttentionMaps.Read(gpt, ids, names)));
            WriteResidual(gpt, model, ids, names, Path.Combine(outDir, $"residual-{name}.png"));
        }
        foreach (string file in AttentionMaps.Write(outDir, maps)) Console.WriteLine(file);
        return 0;
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
                for (int d = 0; d < c; d++) grid[p, d] = flat[p * c + d];
            return ($"after block {l}", grid);
        }).ToList();
        Plots.Heatmaps(png, "residual stream by direction", panels, tokens, model.Residual, rowAxis: "position", colAxis: "direction");
        Console.WriteLine(png);
    }

    private static void PrintAccuracies(IReadOnlyList<SetAccuracy> accuracies)
    {
        foreach (var a in accuracies)
            Console.WriteLine($"  {a.Name,-16} {a.Accuracy,7:P1}   majority share {a.MajorityShare:P1}{(a.AtBaseline ? "   at baseline" : "")}");
    }
}
