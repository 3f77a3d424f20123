using System.CommandLine;
using System.Globalization;
using NativeCore.Backends;
using NativeCore.Benchmarking;
using NativeCore.Model;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore bench gemm|step|op</c>: kernel, training-step and single-op timings, each ending with one JSON line.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Time kernels and training steps");
        bench.Subcommands.Add(Gemm());
        bench.Subcommands.Add(Step());
        bench.Subcommands.Add(BenchOpCommand.Create());
        return bench;
    }

    private static Command Gemm()
    {
        var m = CommonOptions.Required("--m", "Rows of A and C");
        var k = CommonOptions.Required("--k", "Inner dimension");
        var n = CommonOptions.Required("--n", "Columns of B and C");
        var backendOpt = CommonOptions.Backend();
        var widths = new Option<bool>("--widths") { Description = "cpu only: time the 256-bit and 512-bit micro-kernels side by side, interleaved" };
        var form = new Option<GemmForm>("--form")
        {
            Description = "How a Linear layer calls it: Linear (y = x·Wᵀ), InputGrad (dx = dy·W) or WeightGrad (dW += dyᵀ·x, k = batch)",
            DefaultValueFactory = _ => GemmForm.Linear,
        };
        var cmd = new Command("gemm", "Time C[m,n] = op(A)[m,k]·op(B)[k,n] after a warm-up") { m, k, n, form, backendOpt, widths };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            int mv = Positive(r.GetValue(m), "--m"), kv = Positive(r.GetValue(k), "--k"), nv = Positive(r.GetValue(n), "--n");
            if (r.GetValue(widths))
            {
                var (narrow, wide) = GemmBenchmark.CompareKernelWidths(mv, kv, nv);
                Console.WriteLine($"gemm {mv}x{kv}·{kv}x{nv} on cpu: 256-bit {narrow.Gflops:F1} GFLOP/s, 512-bit {(wide is null ? "not available here" : $"{wide.Gflops:F1} GFLOP/s")}");
                Console.WriteLine(wide is null ? Json(("gflops_256", narrow.Gflops)) : Json(("gflops_256", narrow.Gflops), ("gflops_512", wide.Gflops), ("ratio", wide.Gflops / narrow.Gflops)));
                return 0;
            }
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var res = GemmBenchmark.Run(backend, mv, kv, nv, r.GetValue(form));
            Console.WriteLine($"gemm {mv}x{kv}·{kv}x{nv} ({r.GetValue(form)}) on {backend.Name}: {res.Milliseconds:F3} ms, {res.Gflops:F1} GFLOP/s");
            Console.WriteLine(Json(("ms", res.Milliseconds), ("gflops", res.Gflops)));
            return 0;
        }));
        return cmd;
    }

    private static Command Step()
    {
        var preset = new Option<string?>("--config") { Description = "The anchors' models: small or paper-like (vocab 64, tied head, batch 32)" };
        var layers = new Option<int?>("--layers") { Description = "n_layer" };
        var heads = new Option<int?>("--heads") { Description = "n_head" };
        var embd = new Option<int?>("--embd") { Description = "n_embd" };
        var seq = new Option<int?>("--seq") { Description = "Sequence length T (also block_size)" };
        var vocab = new Option<int?>("--vocab") { Description = "vocab_size" };
        var batch = new Option<int?>("--batch") { Description = "Batch size B" };
        var tied = new Option<bool>("--tied") { Description = "Tie the LM head to wte" };
        var breakdown = new Option<bool>("--breakdown") { Description = "Also print the time per operation" };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("step", "Time one training step (forward, backward, AdamW) after a warm-up; give --config or every shape option")
            { preset, layers, heads, embd, seq, vocab, batch, tied, breakdown, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            bool anchored = r.GetValue(preset) is not null;
            var (anchor, anchorBatch) = anchored ? StepBenchmark.Anchor(r.GetValue(preset)!) : (new GptConfig(), 0);
            int Pick(Option<int?> o, int anchorValue, string flag) =>
                r.GetValue(o) is { } v ? Positive(v, flag) : anchored ? anchorValue : throw new InvalidConfigException($"{flag} is required without --config");
            var config = anchor with
            {
                NLayer = Pick(layers, anchor.NLayer, "--layers"),
                NHead = Pick(heads, anchor.NHead, "--heads"),
                NEmbd = Pick(embd, anchor.NEmbd, "--embd"),
                BlockSize = Pick(seq, anchor.BlockSize, "--seq"),
                VocabSize = Pick(vocab, anchor.VocabSize, "--vocab"),
                TiedEmbeddings = anchor.TiedEmbeddings || r.GetValue(tied),
            };
            int b = Pick(batch, anchorBatch, "--batch");
            config.Validate();
            int t = config.BlockSize;
            MemoryEstimate.Check(config, b, t, $"--batch {b} at --seq {t}");
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            // Training first, so its peak is measured before any inference harness exists; then inference on its own.
            var res = StepBenchmark.Run(backend, config, b, t);
            double trainGiB = PeakMemory.PeakGiB();
            bool separate = PeakMemory.Reset();
            double fwdFull = StepBenchmark.ForwardLatency(backend, config, b, t);
            double fwdOne = StepBenchmark.ForwardLatency(backend, config, 1, t);
            double inferGiB = PeakMemory.PeakGiB();
            Console.WriteLine($"step {config.NLayer}L/{config.NHead}H/{config.NEmbd}d T={t} B={b} V={config.VocabSize} on {backend.Name}: {res.Milliseconds:F2} ms, {res.TokensPerSecond:F0} tokens/s, {res.Gflops:F1} GFLOP/s");
            Console.WriteLine($"forward latency: {fwdOne:F2} ms at batch 1, {fwdFull:F2} ms at batch {b}");
            Console.WriteLine($"peak RSS: training {trainGiB:F2} GiB, inference {inferGiB:F2} GiB{(separate ? "" : " (could not reset the peak: includes training)")}");
            if (r.GetValue(breakdown))
            {
                var ops = StepBenchmark.Breakdown(backend, config, b, t);
                double total = ops.Sum(o => o.Ms);
                Console.WriteLine($"  {"operation",-24} {"ms/step",9} {"share",7} {"calls",6}");
                foreach (var (op, ms, calls) in ops) Console.WriteLine($"  {op,-24} {ms,9:F2} {ms / total,7:P1} {calls,6}");
            }
            Console.WriteLine(Json(("ms", res.Milliseconds), ("gflops", res.Gflops), ("tokens_per_s", res.TokensPerSecond ?? 0),
                ("forward_ms_batch1", fwdOne), ("forward_ms_full_batch", fwdFull), ("peak_rss_gib", trainGiB), ("peak_rss_inference_gib", inferGiB)));
            return 0;
        }));
        return cmd;
    }

    internal static int Positive(int value, string name) =>
        value > 0 ? value : throw new InvalidConfigException($"{name} must be positive, got {value}");

    /// <summary>One JSON object of numbers on one line: the machine-readable last line of every bench command.</summary>
    internal static string Json(params (string Key, double Value)[] fields) =>
        "{" + string.Join(", ", fields.Select(f => $"\"{f.Key}\": {f.Value.ToString("G6", CultureInfo.InvariantCulture)}")) + "}";
}
