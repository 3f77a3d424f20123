using System.CommandLine;
using NativeCore.Training;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore lineage RUN</c>: the chain of checkpoints from the first pre-training to this model.</summary>
internal static class LineageCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = "Run folder or checkpoint" };
        var cmd = new Command("lineage", "Show the chain of parents back to the original pre-training") { run };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
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
