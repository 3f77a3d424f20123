using System.CommandLine;
using NativeCore.Cli.Commands;

namespace NativeCore.Cli;

/// <summary>The <c>nativecore</c> command line: parses, dispatches, and turns failures into one line and an exit code.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        Startup.Register();
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
        root.Subcommands.Add(StageCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(TracrCommand.Create());
        root.Subcommands.Add(StoriesCommand.Create());
        var verbose = new Option<bool>("--verbose") { Description = "Print the stack trace of a failure", Recursive = true };
        root.Options.Add(verbose);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unknown option or a missing argument is an argument error like any other: exit 2, never 1.
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("see --help");
            return ExitCodes.Config;
        }
        CliRunner.Verbose = parse.GetValue(verbose);
        return parse.Invoke();
    }
}
