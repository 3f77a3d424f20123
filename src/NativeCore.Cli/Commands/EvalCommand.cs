using System.CommandLine;
using System.Text.Json;
using NativeCore.Backends;
using NativeCore.Experiments;
using NativeCore.Model;
using NativeCore.Training;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore eval --model M</c>: accuracy on the held-out sets, each next to its majority-class share.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Run folder or checkpoint", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var backendOpt = CommonOptions.Backend();
        var cmd = new Command("eval", "Evaluate a checkpoint on the held-out sets (C_Te 0 and 1, asked with a and b) and on all five tasks") { model, json, backendOpt };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            string dir = Checkpoint.Resolve(r.GetValue(model)!);
            var sidecar = Checkpoint.ReadSidecar(dir);
            var config = sidecar.Config;
            using var backend = BackendRegistry.Create(r.GetValue(backendOpt)!);
            using var gpt = new Gpt(backend, config.Model);
            Checkpoint.LoadModel(gpt, dir);
            // Every task, not only those in the run's mix, so a narrow pre-training shows what it did not learn.
            var allTasks = config.Data with { Tasks = Enum.GetValues<Tasks.TaskKind>() };
            var sets = Stages.EvalSets(config).Concat(Evaluator.TaskSets(allTasks, config.Eval.Size, config.Eval.Seed));
            var results = Evaluator.Evaluate(gpt, config.Data, sets, config.Eval.BatchSize);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    checkpoint = dir,
                    step = sidecar.Step,
                    stage = sidecar.Stage,
                    sets = results.ToDictionary(a => a.Name, a => new { accuracy = a.Accuracy, majority_share = a.MajorityShare, at_baseline = a.AtBaseline, size = a.Size }),
                }));
                return 0;
            }
            Console.WriteLine($"{dir} ({sidecar.Stage}, step {sidecar.Step})");
            Console.WriteLine($"  {"set",-16} {"accuracy",9} {"majority",9}");
            foreach (var a in results)
                Console.WriteLine($"  {a.Name,-16} {a.Accuracy,9:P1} {a.MajorityShare,9:P1}{(a.AtBaseline ? "  at baseline" : "")}");
            return 0;
        }));
        return cmd;
    }
}
