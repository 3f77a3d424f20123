using System.CommandLine;
using NativeCore.Ledger;

namespace NativeCore.Cli.Commands;

/// <summary><c>nativecore lineage MODEL</c>: the chain of models from the first one (pre-trained or compiled) to this one, in any setting.</summary>
internal static class LineageCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("RUN") { Description = "Grammar run folder or checkpoint, or a Tracr or stories model folder (with --graph: a folder of them)" };
        var graph = new Option<bool>("--graph") { Description = "Write the whole tree of models under RUN as lineage.dot and lineage.png" };
        var cmd = new Command("lineage", "Show the chain of parents back to the original pre-training or compilation, or the tree of a folder of models") { run, graph };
        cmd.SetAction(r => CliRunner.Run(() =>
        {
            if (r.GetValue(graph))
            {
                int count = LineageGraph.Write(r.GetValue(run)!, r.GetValue(run)!);
                Console.WriteLine($"{count} models; wrote {Path.Combine(r.GetValue(run)!, "lineage.dot")} and lineage.png");
                return 0;
            }
            var chain = LineageChain.Walk(r.GetValue(run)!);
            for (int i = 0; i < chain.Count; i++)
            {
                var link = chain[i];
                string indent = new(' ', 2 * i + 3);
                Console.WriteLine($"{new string(' ', 2 * i)}{(i == 0 ? "" : "└─ ")}{Path.GetFullPath(link.Directory)}");
                Console.WriteLine(indent + LineageText.Summary(link));
                if (link.Settings.Count > 0) Console.WriteLine($"{indent}settings: {LineageText.SettingsLine(link)}");
                if (link.ParentChanged) Console.WriteLine($"{indent}warning: these weights changed after the next run was fine-tuned from them (SHA-256 mismatch)");
            }
            return 0;
        }));
        return cmd;
    }
}
