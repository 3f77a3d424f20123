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
