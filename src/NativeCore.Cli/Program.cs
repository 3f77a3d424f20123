using System.CommandLine;
using NativeCore.Cli.Commands;

namespace NativeCore.Cli;

/// <summary>The <c>nativecore</c> command line: parses, dispatches, and turns failures into one line and an exit code.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("NativeCore: a lean GPT trainer with hand-written kernels, for studying what fine-tuning does to a capability.");
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(TrainCommands.Pretrain());
        root.Subcommands.Add(TrainCommands.Finetune());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(LineageCommand.Create());
        root.Subcommands.Add(AnalysisCommands.Prune());
        root.Subcommands.Add(AnalysisCommands.Probe());
        root.Subcommands.Add(AnalysisCommands.Attention());
        root.Subcommands.Add(AnalysisCommands.Reft());
        root.Subcommands.Add(PaperCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(TracrCommand.Create());
        root.Subcommands.Add(StoriesCommand.Create());
        return root.Parse(args).Invoke();
    }
}
