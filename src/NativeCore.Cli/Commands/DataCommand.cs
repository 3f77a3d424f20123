using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NativeCore.Tasks;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore data sample|stats</c>: look at the grammar data.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect the procedurally generated grammar data");
        data.Subcommands.Add(Sample());
        data.Subcommands.Add(Stats());
        return data;
    }

    private static Option<string> TaskOption() => new("--task") { Description = "Task: C, CC, I, IC or T", Required = true };

    private static Option<ulong> SeedOption() => new("--seed") { Description = "Data seed", DefaultValueFactory = _ => 0 };

    private static Option<string> PriorOption() => new("--prior") { Description = "Operand prior: low, medium, high or pa,pb,pc", DefaultValueFactory = _ => "high" };

    private static Option<int> TextLengthOption() => new("--text-length") { Description = "Text window (spec: 250)", DefaultValueFactory = _ => 250 };

    private static Option<int> CountWindowOption() => new("--count-window") { Description = "Count window (spec: 40)", DefaultValueFactory = _ => 40 };

    private static TaskKind ParseTask(string text) =>
        Enum.TryParse<TaskKind>(text, ignoreCase: false, out var t) && Enum.IsDefined(t)
            ? t
            : throw new InvalidConfigException($"unknown task '{text}'; tasks are C, CC, I, IC and T");

    private static Command Sample()
    {
        var task = TaskOption();
        var operand = new Option<string?>("--operand") { Description = "Operand: a, b, c, a pair such as ab, or omit to draw from the prior" };
        var n = new Option<int>("--n") { Description = "Number of samples", DefaultValueFactory = _ => 5 };
        var prior = PriorOption();
        var correlated = new Option<bool>("--correlated") { Description = "Force the spurious relation to hold (C and I only)" };
        var seed = SeedOption();
        var textLength = TextLengthOption();
        var countWindow = CountWindowOption();
        var cmd = new Command("sample", "Print decoded samples with their answers") { task, operand, n, prior, correlated, seed, textLength, countWindow };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var kind = ParseTask(r.GetValue(task)!);
            var config = new DataConfig { TextLength = r.GetValue(textLength), CountWindow = r.GetValue(countWindow), Prior = r.GetValue(prior)!, Tasks = [kind] };
            config.Validate();
            string? op = r.GetValue(operand);
            var samples = Samples.Draw(config, kind, op, r.GetValue(correlated), r.GetValue(n), r.GetValue(seed));
            foreach (var s in samples)
                Console.WriteLine($"{s.Readable(config)}\n  answer {Vocabulary.Name(s.Answer)}; {Relations.Describe(TaskKind.C, config)}: {Relations.Holds(TaskKind.C, s.Text, config)}");
            return 0;
        }));
        return cmd;
    }

    private static Command Stats()
    {
        var task = TaskOption();
        var n = new Option<int>("--n") { Description = "Number of samples", DefaultValueFactory = _ => 10_000 };
        var prior = PriorOption();
        var ctr = new Option<double?>("--ctr") { Description = "Draw from the fine-tuning stream with this C_Tr (asked with b)" };
        var seed = SeedOption();
        var json = new Option<bool>("--json") { Description = "End with one JSON line" };
        var textLength = TextLengthOption();
        var countWindow = CountWindowOption();
        var cmd = new Command("stats", "Operand frequencies, answer histogram and relation shares") { task, n, prior, ctr, seed, json, textLength, countWindow };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            var kind = ParseTask(r.GetValue(task)!);
            var config = new DataConfig { TextLength = r.GetValue(textLength), CountWindow = r.GetValue(countWindow), Prior = r.GetValue(prior)! };
            config.Validate();
            var stats = DataStats.Compute(config, kind, r.GetValue(n), r.GetValue(ctr), r.GetValue(seed));
            Console.WriteLine($"n = {stats.N}");
            Console.WriteLine("operand frequencies: " + string.Join(", ", stats.OperandFrequency.Select(kv => $"{kv.Key} {kv.Value:P2}")));
            Console.WriteLine($"answer histogram (majority share {stats.MajorityShare:P1}):");
            int max = stats.AnswerHistogram.Max(a => a.Value);
            foreach (var (answer, count) in stats.AnswerHistogram)
                Console.WriteLine($"  {answer,5} {count,8} {new string('#', (int)Math.Ceiling(40.0 * count / max))}");
            Console.WriteLine($"share with {Relations.Describe(TaskKind.C, config)}: {stats.RelationShare:P2}");
            Console.WriteLine($"correlated share: {stats.CorrelatedShare:P2}");
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["operand_freq"] = stats.OperandFrequency,
                    ["answer_hist"] = stats.AnswerHistogram.ToDictionary(kv => kv.Key, kv => kv.Value),
                    ["relation_share"] = stats.RelationShare,
                    ["correlated_share"] = stats.CorrelatedShare,
                    ["majority_share"] = stats.MajorityShare,
                    ["n"] = stats.N,
                }));
            }
            return 0;
        }));
        return cmd;
    }
}
