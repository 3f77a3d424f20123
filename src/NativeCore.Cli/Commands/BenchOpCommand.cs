using System.CommandLine;
using NativeCore.Backends;
using NativeCore.Benchmarking;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore bench op NAME</c>: times one op of <see cref="OpRegistry"/>, forward and backward, on any backend.</summary>
internal static class BenchOpCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("NAME") { Description = "The op to time (bench op --list names them)", Arity = ArgumentArity.ZeroOrOne };
        var list = new Option<bool>("--list") { Description = "List every op with what it runs and the sizes it takes" };
        var preset = new Option<string>("--config")
        {
            Description = "The anchor model whose training step gives the default sizes: small or paper-like",
            DefaultValueFactory = _ => "paper-like",
        };
        var dims = Enum.GetValues<OpDim>().ToDictionary(d => d, d => new Option<int?>(OpShape.Option(d)) { Description = DimDescription(d) });
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("op", "Time one op's forward and backward calls after a warm-up, at the sizes of a training step") { name, list, preset, backendOpt };
        foreach (var option in dims.Values) cmd.Options.Add(option);
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var shape = OpShape.FromAnchor(r.GetValue(preset)!);
            if (r.GetValue(list))
            {
                foreach (var op in OpRegistry.All)
                {
                    Console.WriteLine($"{op.Name,-15} {op.Description}");
                    Console.WriteLine($"{"",-15} sizes {shape.Describe(op.Dims)} ({string.Join(" ", op.Dims.Select(OpShape.Option))}); {(op.Backward is null ? "forward only" : "forward and backward")}");
                }
                return 0;
            }
            var chosen = OpRegistry.Find(r.GetValue(name) ?? throw new InvalidConfigException($"bench op needs an op NAME or --list; known ops: {string.Join(", ", OpRegistry.Names)}"));
            foreach (var (dim, option) in dims)
            {
                if (r.GetValue(option) is not { } value) continue;
                if (!chosen.Dims.Contains(dim))
                    throw new InvalidConfigException($"{option.Name} does not size {chosen.Name}; it takes {string.Join(" ", chosen.Dims.Select(OpShape.Option))}");
                shape = shape.With(dim, BenchCommand.Positive(value, option.Name));
            }
            // Sizes are refused before a device is opened.
            OpRun.Check(chosen, shape);
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var res = OpBenchmark.Run(backend, chosen, shape);
            string backward = res.Backward is { } b ? $", backward {Rates(b)}" : " (no backward)";
            Console.WriteLine($"{chosen.Name} {shape.Describe(chosen.Dims)} on {backend.Name}: forward {Rates(res.Forward)}{backward}");
            var fields = Fields("forward", res.Forward);
            if (res.Backward is { } bt) fields.AddRange(Fields("backward", bt));
            Console.WriteLine(BenchCommand.Json([.. fields]));
            return 0;
        }));
        return cmd;
    }

    private static string Rates(OpTiming t) =>
        $"{t.Milliseconds:F3} ms ({(t.Work.Flops > 0 ? $"{t.Gflops:F1} GFLOP/s, " : "")}{t.GBytesPerSecond:F1} GB/s)";

    // GFLOP/s only where the op's FLOPs are counted, so that a memory-bound op never reports a misleading 0.
    private static List<(string Key, double Value)> Fields(string direction, OpTiming t)
    {
        var fields = new List<(string, double)> { ($"{direction}_ms", t.Milliseconds) };
        if (t.Work.Flops > 0) fields.Add(($"{direction}_gflops", t.Gflops));
        fields.Add(($"{direction}_gb_per_s", t.GBytesPerSecond));
        return fields;
    }

    private static string DimDescription(OpDim dim) => dim switch
    {
        OpDim.Batch => "B, sequences per batch",
        OpDim.Seq => "T, positions per sequence",
        OpDim.Embd => "C, width of the residual stream",
        OpDim.Heads => "NH, attention heads",
        OpDim.Vocab => "V, vocabulary size",
        OpDim.Inner => "H, hidden width of the MLP (default 4·C)",
        OpDim.M => "gemm and bias: rows M (default B·T)",
        OpDim.K => "gemm: inner dimension K (default C)",
        OpDim.N => "gemm and bias: columns N (default 3·C)",
        OpDim.Params => "adamw, sgd_momentum, sum_of_squares: floats updated (default the model's parameter count)",
        _ => dim.ToString(),
    };
}
