using System.CommandLine;
using System.Globalization;
using NativeCore.Backends;
using NativeCore.Benchmarking;
using NativeCore.Model;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore bench gemm|step</c>: kernel and training-step timings, each ending with one JSON line.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Time kernels and training steps");
        bench.Subcommands.Add(Gemm());
        bench.Subcommands.Add(Step());
        return bench;
    }

    private static Command Gemm()
    {
        var m = CommonOptions.Required("--m", "Rows of A and C");
        var k = CommonOptions.Required("--k", "Inner dimension");
        var n = CommonOptions.Required("--n", "Columns of B and C");
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("gemm", "Time C[m,n] = A[m,k]·B[k,n] after a warm-up") { m, k, n, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            int mv = Positive(r.GetValue(m), "--m"), kv = Positive(r.GetValue(k), "--k"), nv = Positive(r.GetValue(n), "--n");
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var res = GemmBenchmark.Run(backend, mv, kv, nv);
            Console.WriteLine($"gemm {mv}x{kv}·{kv}x{nv} on {backend.Name}: {res.Milliseconds:F3} ms, {res.Gflops:F1} GFLOP/s");
            Console.WriteLine(Json(("ms", res.Milliseconds), ("gflops", res.Gflops)));
            return 0;
        }));
        return cmd;
    }

    private static Command Step()
    {
        var layers = CommonOptions.Required("--layers", "n_layer");
        var heads = CommonOptions.Required("--heads", "n_head");
        var embd = CommonOptions.Required("--embd", "n_embd");
        var seq = CommonOptions.Required("--seq", "Sequence length T (also block_size)");
        var vocab = CommonOptions.Required("--vocab", "vocab_size");
        var batch = CommonOptions.Required("--batch", "Batch size B");
        var tied = new Option<bool>("--tied") { Description = "Tie the LM head to wte" };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("step", "Time one training step (forward, backward, AdamW) after a warm-up") { layers, heads, embd, seq, vocab, batch, tied, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            int t = Positive(r.GetValue(seq), "--seq"), b = Positive(r.GetValue(batch), "--batch");
            var config = new GptConfig
            {
                NLayer = Positive(r.GetValue(layers), "--layers"),
                NHead = Positive(r.GetValue(heads), "--heads"),
                NEmbd = Positive(r.GetValue(embd), "--embd"),
                BlockSize = t,
                VocabSize = Positive(r.GetValue(vocab), "--vocab"),
                TiedEmbeddings = r.GetValue(tied),
            };
            config.Validate();
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            var res = StepBenchmark.Run(backend, config, b, t);
            Console.WriteLine($"step {config.NLayer}L/{config.NHead}H/{config.NEmbd}d T={t} B={b} V={config.VocabSize} on {backend.Name}: {res.Milliseconds:F2} ms, {res.TokensPerSecond:F0} tokens/s, {res.Gflops:F1} GFLOP/s");
            Console.WriteLine(Json(("ms", res.Milliseconds), ("gflops", res.Gflops), ("tokens_per_s", res.TokensPerSecond ?? 0)));
            return 0;
        }));
        return cmd;
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new InvalidConfigException($"{name} must be positive, got {value}");

    private static string Json(params (string Key, double Value)[] fields) =>
        "{" + string.Join(", ", fields.Select(f => $"\"{f.Key}\": {f.Value.ToString("G6", CultureInfo.InvariantCulture)}")) + "}";
}
