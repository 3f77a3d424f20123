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
/// <c>nativecore tracr compile|eval|noise-scan</c>, and the tracr setting of <c>finetune</c>, <c>reft</c>, <c>prune</c> and
/// <c>attention</c> (<c>--setting tracr</c>), which read and write compiled-model folders.
/// </summary>
internal static class TracrCommand
{
    public static Command Create()
    {
        var cmd = new Command("tracr", "Compile RASP programs to weights (Tracr's construction) and score them; finetune, reft, prune and attention take --setting tracr");
        cmd.Subcommands.Add(Compile());
        cmd.Subcommands.Add(Eval());
        cmd.Subcommands.Add(NoiseScan());
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

    private static Command NoiseScan()
    {
        var program = new Option<string>("--program") { Description = "counter or maxid", DefaultValueFactory = _ => "counter" };
        var lengths = new Option<string?>("--lengths") { Description = "N values, comma-separated (default 8,16,30,45)" };
        var stds = new Option<string?>("--stds") { Description = "noise standard deviations, comma-separated (default 1e-4,3e-4,1e-3)" };
        var seeds = new Option<int>("--seeds") { Description = "noise seeds per cell", DefaultValueFactory = _ => StartingPoint.DefaultSeeds };
        var evalSize = new Option<int>("--eval-size") { Description = "held-out samples per evaluation", DefaultValueFactory = _ => 1024 };
        var output = new Option<string>("--out") { Description = "Folder for noise-scan.csv", Required = true };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("noise-scan", "Step-0 accuracy of the compiled capability after the recipe's weight noise, per N and noise level over seeds, and the N chosen for the experiment")
            { program, lengths, stds, seeds, evalSize, output, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var ns = ParseList<int>(r.GetValue(lengths), "--lengths", s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v is >= 2 and <= MaxCompileLength ? v : (int?)null) ?? StartingPoint.DefaultLengths;
            var sigmas = ParseList<double>(r.GetValue(stds), "--stds", s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v) ? v : (double?)null) ?? StartingPoint.DefaultStds;
            int seedCount = r.GetValue(seeds), size = r.GetValue(evalSize);
            if (seedCount < 1) throw new InvalidConfigException($"--seeds must be at least 1, got {seedCount}");
            if (size < 1) throw new InvalidConfigException($"--eval-size must be at least 1, got {size}");
            TracrPrograms.ByName(r.GetValue(program)!);
            string dir = r.GetValue(output)!;
            OutputFolder.Claim(dir, OutputFolder.Kinds.Analysis);
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var cells = StartingPoint.Scan(r.GetValue(program)!, ns, sigmas, seedCount, size, backend, c =>
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"N={c.MaxLength,3}  std {c.NoiseStd,-7:G3} accuracy {c.Pooled.Value,6:P1} [{c.Pooled.Low:P1}, {c.Pooled.High:P1}]  per seed {string.Join(" ", c.Accuracies.Select(a => a.ToString("P0", CultureInfo.InvariantCulture)))}")));
            string csv = Path.Combine(dir, "noise-scan.csv");
            StartingPoint.WriteCsv(csv, cells);
            int? chosen = StartingPoint.Choose(cells);
            Console.WriteLine(chosen is { } n
                ? string.Create(CultureInfo.InvariantCulture, $"chosen N = {n}: the largest N whose accuracy after noise {StartingPoint.SpecNoiseStd:G} is wholly at or above {StartingPoint.WorkingAccuracy:P0}")
                : string.Create(CultureInfo.InvariantCulture, $"no N in the scan keeps the compiled capability at {StartingPoint.WorkingAccuracy:P0} after noise {StartingPoint.SpecNoiseStd:G} (or the spec's noise was not scanned)"));
            Console.WriteLine($"wrote {csv}");
            return 0;
        }));
        return cmd;
    }

    private static IReadOnlyList<T>? ParseList<T>(string? text, string option, Func<string, T?> parse) where T : struct =>
        text is null ? null : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => parse(s) ?? throw new InvalidConfigException($"{option}: '{s}' is not a valid value")).ToList() is { Count: > 0 } list ? list
            : throw new InvalidConfigException($"{option} is empty");

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
            PrintAccuracies(TracrTraining.Evaluate(gpt, model, TracrTraining.HeldOutSets(model, new TracrRecipe().EvalSize, new TracrRecipe().EvalSeed)));
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
        using var backend = BackendRegistry.Create(backendName);
        var curve = TracrAnalysis.Prune(folder, unit, maxK, outDir, backend);
        foreach (var step in curve)
            Console.WriteLine($"K={step.K,2} {(step.Removed is { } p ? $"{p.Parameter}[{p.Index}]" : "(none)"),-44} " + string.Join("  ", step.Accuracies.Select(a => $"{a.Name} {a.Accuracy,6:P1}")));
        Console.WriteLine($"wrote {Path.Combine(outDir, "prune-units.csv")} (units removed) and prune.png");
        return 0;
    }

    /// <summary>
    /// Attention maps per layer with token-labelled axes, and the residual stream by direction name, for one input:
    /// <paramref name="input"/>'s letters, or the Counter's sample number <paramref name="sample"/>.
    /// </summary>
    public static int Attention(IReadOnlyList<string> folders, string? input, ulong sample, string outDir, string backendName)
    {
        using var backend = BackendRegistry.Create(backendName);
        foreach (string file in TracrAnalysis.Attention(folders, input, sample, outDir, backend)) Console.WriteLine(file);
        return 0;
    }

    private static void PrintAccuracies(IReadOnlyList<SetAccuracy> accuracies)
    {
        foreach (var a in accuracies)
            Console.WriteLine($"  {a.Name,-16} {a.Accuracy,7:P1}   majority share {a.MajorityShare:P1}{(a.AtBaseline ? "   at baseline" : "")}");
    }
}
