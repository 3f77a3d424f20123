using System.CommandLine;
using NativeCore.Training;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore lineage RUN</c>: the chain of checkpoints from the first pre-training to this model.</summary>
internal static class LineageCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = "Run folder or checkpoint (with --graph: a folder of runs)" };
        var graph = new Option<bool>("--graph") { Description = "Write the whole tree of runs under RUN as lineage.dot and lineage.png" };
        var cmd = new Command("lineage", "Show the chain of parents back to the original pre-training, or the tree of a folder of runs") { run, graph };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            if (r.GetValue(graph))
            {
                int count = LineageGraph.Write(r.GetValue(run)!, r.GetValue(run)!);
                Console.WriteLine($"{count} checkpoints; wrote {Path.Combine(r.GetValue(run)!, "lineage.dot")} and lineage.png");
                return 0;
            }
            var chain = LineageChain.Walk(r.GetValue(run)!);
            for (int i = 0; i < chain.Count; i++)
            {
                var link = chain[i];
                var l = link.Sidecar.Lineage;
                Console.WriteLine($"{new string(' ', 2 * i)}{(i == 0 ? "" : "└─ ")}{link.Directory}");
                Console.WriteLine($"{new string(' ', 2 * i + 3)}{l.Stage}, step {link.Sidecar.Step}/{link.Sidecar.TotalSteps}, {l.Task}, lr {l.Settings.LearningRate:G3}, by {l.User}@{l.Host}, {l.StartedUtc} → {l.EndedUtc}, NativeCore {l.Version} ({l.Commit})");
                if (link.ParentChanged) Console.WriteLine($"{new string(' ', 2 * i + 3)}warning: these weights changed after the next run was fine-tuned from them (SHA-256 mismatch)");
            }
            return 0;
        }));
        return cmd;
    }
}
